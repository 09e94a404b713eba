package manifest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// DecodeStrict decodes one YAML or JSON document into out, rejecting unknown and duplicate fields.
// Its errors name the field, as a path such as "spec.containers[0].portz" for unknown fields.
func DecodeStrict(body []byte, out any) error { return decodeStrict(body, out, 1) }

// decodeStrict decodes one YAML (or JSON) document into out, rejecting unknown and duplicate fields.
// firstLine is the line the document starts on in its file, so YAML errors can name file lines.
func decodeStrict(body []byte, out any, firstLine int) error {
	err := yaml.UnmarshalStrict(body, out)
	if err == nil {
		return nil
	}
	return explainDecodeError(err, body, reflect.TypeOf(out), firstLine)
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// explainDecodeError turns the decoder's error into one that names the field path (for JSON errors) or
// the file line (for YAML errors), without the library's wrapping prefixes.
func explainDecodeError(err error, body []byte, target reflect.Type, firstLine int) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field == "" {
			return fmt.Errorf("got a YAML %s, want a mapping", typeErr.Value)
		}
		return fmt.Errorf("%s: got a %s, want %s", typeErr.Field, typeErr.Value, typeErr.Type)
	}
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "error unmarshaling JSON: ")
	msg = strings.TrimPrefix(msg, "while decoding JSON: ")
	msg = strings.TrimPrefix(msg, "error converting YAML to JSON: ")
	if name, ok := strings.CutPrefix(msg, `json: unknown field "`); ok {
		name = strings.TrimSuffix(name, `"`)
		if path := unknownFieldPath(body, target); path != "" {
			return fmt.Errorf("%s: unknown field", path)
		}
		return fmt.Errorf("%s: unknown field", name)
	}
	msg = strings.TrimPrefix(msg, "json: ")
	if firstLine > 1 {
		msg = yamlLine.ReplaceAllStringFunc(msg, func(m string) string {
			n, _ := strconv.Atoi(strings.TrimPrefix(m, "line "))
			return fmt.Sprintf("line %d", n+firstLine-1)
		})
	}
	return errors.New(msg)
}

// unknownFieldPath finds the first field of the document that target has no place for, as a path such
// as "spec.containers[0].portz"; "" when it finds none.
func unknownFieldPath(body []byte, target reflect.Type) string {
	if target == nil {
		return ""
	}
	var doc any
	if err := yaml.Unmarshal(body, &doc); err != nil {
		return ""
	}
	return findUnknown(doc, target, "")
}

var jsonUnmarshaler = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()

func findUnknown(v any, t reflect.Type, path string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	// Types that decode themselves (times, quantities, int-or-string) have no fields to check.
	if reflect.PointerTo(t).Implements(jsonUnmarshaler) {
		return ""
	}
	switch val := v.(type) {
	case map[string]any:
		switch t.Kind() {
		case reflect.Struct:
			fields := jsonFields(t)
			for _, key := range sortedKeys(val) {
				ft, ok := fields[key]
				if !ok {
					return join(path, key)
				}
				if p := findUnknown(val[key], ft, join(path, key)); p != "" {
					return p
				}
			}
		case reflect.Map:
			for _, key := range sortedKeys(val) {
				if p := findUnknown(val[key], t.Elem(), join(path, key)); p != "" {
					return p
				}
			}
		}
	case []any:
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			for i, item := range val {
				if p := findUnknown(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); p != "" {
					return p
				}
			}
		}
	}
	return ""
}

// jsonFields maps the JSON names of a struct's fields, embedded structs' fields included, to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					out[k] = v
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
