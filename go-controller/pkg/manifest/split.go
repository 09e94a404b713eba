package manifest

import (
	"bytes"
	"strings"
)

// document is one YAML document of a file, with its position for error messages.
type document struct {
	Number int // from 1, counting the documents that hold something (not only comments)
	Line   int // the line the document starts on, from 1
	Body   []byte
}

// splitDocuments splits a multi-document YAML stream on "---" separator lines and drops the empty
// documents. JSON has no such lines, so a JSON file is one document.
func splitDocuments(data []byte) []document {
	var docs []document
	var cur []byte
	start := 1
	flush := func() {
		if !isBlank(cur) {
			docs = append(docs, document{Number: len(docs) + 1, Line: start, Body: cur})
		}
	}
	for i, line := range bytes.SplitAfter(data, []byte("\n")) {
		if isSeparator(line) {
			flush()
			cur, start = nil, i+2
			continue
		}
		cur = append(cur, line...)
	}
	flush()
	return docs
}

// isSeparator reports whether a line is a document separator: "---", possibly followed by spaces or
// a comment.
func isSeparator(line []byte) bool {
	s := strings.TrimRight(string(line), "\r\n")
	if !strings.HasPrefix(s, "---") {
		return false
	}
	rest := strings.TrimSpace(s[3:])
	return rest == "" || strings.HasPrefix(rest, "#")
}

// isBlank reports whether a document holds nothing but whitespace and comments.
func isBlank(body []byte) bool {
	for _, line := range strings.Split(string(body), "\n") {
		s := strings.TrimSpace(line)
		if s != "" && !strings.HasPrefix(s, "#") {
			return false
		}
	}
	return true
}
