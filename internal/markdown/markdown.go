// Package markdown turns the Markdown that supporters write into HTML that
// is safe to show: goldmark renders it, then bluemonday keeps only the
// elements and attributes of ordinary text, so no script, style, frame or
// event handler survives, whatever was typed.
package markdown

import (
	"bytes"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Renderer renders and sanitises Markdown. It is safe for concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New builds a renderer.
func New() *Renderer {
	policy := bluemonday.UGCPolicy()
	policy.RequireNoReferrerOnLinks(true)
	policy.AddTargetBlankToFullyQualifiedLinks(false)
	policy.AllowURLSchemes("http", "https", "mailto")
	return &Renderer{
		// Raw HTML in the source is dropped by goldmark (no WithUnsafe) and
		// would be cleaned by the policy anyway.
		md:     goldmark.New(goldmark.WithExtensions(extension.GFM)),
		policy: policy,
	}
}

// HTML renders src. Input that goldmark cannot render is shown as text,
// and so is input nested deeper than MaxDepth, which saving refuses but
// which may predate the rule: parsing it would cost every view.
func (r *Renderer) HTML(src string) template.HTML {
	var buf bytes.Buffer
	if Depth(src) > MaxDepth {
		return template.HTML(template.HTMLEscapeString(src)) //nolint:gosec // escaped
	}
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src)) //nolint:gosec // escaped
	}
	return template.HTML(r.policy.SanitizeBytes(buf.Bytes())) //nolint:gosec // sanitised by the policy
}
