package document

// MDCell and MDURL are the Markdown report's escapes, tried alone.
var (
	MDCell = mdCell
	MDURL  = mdURL
)
