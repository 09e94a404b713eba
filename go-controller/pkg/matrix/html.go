package matrix

import (
	_ "embed"
	"html/template"
	"io"
)

//go:embed matrix.html.tmpl
var htmlTemplate string

var page = template.Must(template.New("matrix").Funcs(template.FuncMap{
	"views": func() []string { return Views },
	"cell": func(c Cell, view string) *cellView {
		v, ok := c.Views[view]
		if !ok {
			return &cellView{Class: "skip", Symbol: symSkip, Title: c.Skip}
		}
		cv := &cellView{Class: "deny", Symbol: "✗", Decider: v.Decider(), Title: c.Flow + ": " + v.Decider()}
		if v.Allowed {
			cv.Class, cv.Symbol = "allow", "✓"
		}
		if v.ACL != "" {
			cv.Title += " (ACL " + v.ACL + ")"
		}
		if !v.Agree {
			cv.Class += " disagree"
			cv.Title += "; the policy model disagrees"
		}
		return cv
	},
}).Parse(htmlTemplate))

type cellView struct{ Class, Symbol, Decider, Title string }

// WriteHTML prints the matrix as one self-contained HTML page: styles and script inline, nothing
// fetched. Each cell shows its verdict and the tier, policy and rule that decided it.
func WriteHTML(w io.Writer, m *Matrix) error { return page.Execute(w, m) }
