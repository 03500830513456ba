package ui

import "github.com/pctracker/pctracker/internal/action"

// snippetLength is about how many bytes of a description a result shows.
const snippetLength = 240

// marked cuts a text shown in results into parts, the words the search q
// asked for apart (as package action matches them), for the "marked"
// partial to wrap in <mark>: each part is text that html/template escapes
// like any other, so no HTML is ever built from what was typed or stored.
func marked(text, q string) []action.Part { return action.Highlight(text, action.Words(q)) }

// snippet is the part of a description around the first word q asked
// for, cut into parts as marked does.
func snippet(text, q string) []action.Part {
	return action.Snippet(text, action.Words(q), snippetLength)
}
