package chart

import "html/template"

// maxLabel is the longest bar label LabelledStacked writes whole.
const maxLabel = 34

// LabelledStacked draws Stacked's bars with room on the left for labels
// longer than a year, such as a framework's key or a provision's number;
// a label longer than maxLabel characters is cut with an ellipsis (the
// table beside the chart holds it whole).
func LabelledStacked(id, title, desc string, series []Series, bars []Bar) template.HTML {
	longest := 0
	for i, b := range bars {
		r := []rune(b.Label)
		if len(r) > maxLabel {
			bars[i].Label = string(r[:maxLabel-1]) + "…"
			r = r[:maxLabel]
		}
		longest = max(longest, len(r))
	}
	return stacked(id, title, desc, max(70, 16+6.8*float64(longest)), series, bars)
}
