package stickywriter

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// failAfter accepts n writes, then fails every write.
type failAfter struct {
	n   int
	buf bytes.Buffer
}

var errFull = errors.New("disk full")

func (f *failAfter) Write(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errFull
	}
	f.n--
	return f.buf.Write(p)
}

type short struct{}

func (short) Write(p []byte) (int, error) { return len(p) - 1, nil }

func TestWriter(t *testing.T) {
	tests := []struct {
		name    string
		target  io.Writer
		wantErr error
		want    string
	}{
		{name: "all written", target: &failAfter{n: 3}, want: "a 1\nb\nc\n"},
		{name: "first error kept, later writes dropped", target: &failAfter{n: 1}, wantErr: errFull, want: "a 1\n"},
		{name: "short write", target: short{}, wantErr: io.ErrShortWrite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := New(tt.target)
			w.Printf("a %d\n", 1)
			w.Println("b")
			w.Println("c")
			if err := w.Err(); !errors.Is(err, tt.wantErr) {
				t.Fatalf("Err() = %v, want %v", err, tt.wantErr)
			}
			if f, ok := tt.target.(*failAfter); ok && f.buf.String() != tt.want {
				t.Errorf("wrote %q, want %q", f.buf.String(), tt.want)
			}
		})
	}
}

func TestNewSharesWriter(t *testing.T) {
	w := New(&failAfter{})
	if New(w) != w {
		t.Fatal("New(*Writer) should return the same writer so nested helpers share the error")
	}
}
