package manifest

import "fmt"

// ObjectKey identifies an object: two objects with the same key are duplicates.
type ObjectKey struct {
	Kind      string
	Namespace string // empty for cluster-scoped kinds
	Name      string
}

func (k ObjectKey) String() string {
	if k.Namespace != "" {
		return k.Kind + " " + k.Namespace + "/" + k.Name
	}
	return k.Kind + " " + k.Name
}

// Source says where an object was read from.
type Source struct {
	File     string // the file's path as given (or a name such as "objects" for inline objects)
	Document int    // from 1, counting the non-empty documents of the file; 0 for inline objects
	Line     int    // the line the document starts on; 0 when unknown
	// Item is the object's position in a `kind: List`'s items, from 0; -1 when not in a list.
	Item int
}

func (s Source) String() string {
	out := s.File
	if s.Document > 0 {
		out += fmt.Sprintf(": document %d", s.Document)
		if s.Line > 0 {
			out += fmt.Sprintf(" (line %d)", s.Line)
		}
	}
	if s.Item >= 0 {
		out += fmt.Sprintf(": items[%d]", s.Item)
	}
	return out
}

// Sources maps every loaded object to where it came from.
type Sources map[ObjectKey]Source

// Error is a problem with one document or object; its text starts with where it is.
type Error struct {
	Source Source
	Err    error
}

func (e *Error) Error() string { return e.Source.String() + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }
