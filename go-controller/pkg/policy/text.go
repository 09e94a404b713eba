package policy

import "strings"

func lower(d Direction) string { return strings.ToLower(string(d)) }

func joinReasons(r []string) string { return strings.Join(r, "; ") }
