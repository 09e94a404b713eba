// Package stickywriter lets code print many lines to an io.Writer and check for a write error once, at the
// end: the writer keeps the first error and writes nothing after it, so output to a closed pipe or a full
// disk surfaces as an error of the command instead of being lost.
package stickywriter

import (
	"fmt"
	"io"
)

// Writer wraps an io.Writer and remembers its first write error.
type Writer struct {
	w   io.Writer
	err error
}

// New wraps w. A *Writer passed in is returned as is, so nested helpers share one error.
func New(w io.Writer) *Writer {
	if sw, ok := w.(*Writer); ok {
		return sw
	}
	return &Writer{w: w}
}

// Write writes p unless an earlier write failed; then it returns that error and writes nothing.
func (s *Writer) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	s.err = err
	return n, err
}

// Printf formats as fmt.Fprintf does; a failure is kept for Err.
func (s *Writer) Printf(format string, a ...any) {
	_, _ = fmt.Fprintf(s, format, a...) // the error is kept in s.err
}

// Println formats as fmt.Fprintln does; a failure is kept for Err.
func (s *Writer) Println(a ...any) {
	_, _ = fmt.Fprintln(s, a...) // the error is kept in s.err
}

// Err is the first write error, or nil.
func (s *Writer) Err() error { return s.err }
