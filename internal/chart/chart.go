// Package chart draws the charts of the reports and the dashboard as SVG on
// the server: no script is needed to see them. Each chart carries a title
// and a description for assistive technology, and the page shows the same
// numbers in a table beside it; colour is never the only carrier of meaning
// (segments are labelled in a legend, cells carry their number).
package chart

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Series is one colour of a stacked bar chart.
type Series struct {
	Label string
	Color string // a fill with at least 3:1 contrast against white
}

// Bar is one row of a stacked bar chart: a label and one value per series.
type Bar struct {
	Label  string
	Values []int
}

// StageColors are the fills of the five stages, in action.Stages order:
// distinct in hue and lightness, each 4.5:1 or more against white.
var StageColors = []string{"#4b5563", "#a14f04", "#1d4ed8", "#047857", "#9f1239"}

// Stacked draws horizontal stacked bars, one per Bar, scaled to the largest
// total; id must be unique in the page (it ties the title and description).
func Stacked(id, title, desc string, series []Series, bars []Bar) template.HTML {
	return stacked(id, title, desc, 70, series, bars)
}

func stacked(id, title, desc string, labelW float64, series []Series, bars []Bar) template.HTML {
	const (
		width, rowH, barH, legendH = 640.0, 26.0, 18.0, 28.0
	)
	max := 1
	for _, b := range bars {
		if t := sum(b.Values); t > max {
			max = t
		}
	}
	plotW := width - labelW - 40
	height := legendH + rowH*float64(len(bars)) + 8
	var s strings.Builder
	open(&s, id, title, desc, width, height)
	x := 0.0
	for _, se := range series { // the legend: a swatch and a label per series
		fmt.Fprintf(&s, `<rect x="%.1f" y="4" width="12" height="12" fill="%s"/><text x="%.1f" y="14" class="chart-label">%s</text>`,
			x, se.Color, x+16, esc(se.Label))
		x += 24 + 7.2*float64(len([]rune(se.Label)))
	}
	for i, b := range bars {
		y := legendH + rowH*float64(i)
		fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" class="chart-label" text-anchor="end">%s</text>`, labelW-8, y+barH-4, esc(b.Label))
		x := labelW
		for j, v := range b.Values {
			if v == 0 || j >= len(series) {
				continue
			}
			w := plotW * float64(v) / float64(max)
			fmt.Fprintf(&s, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="#fff" stroke-width="1"><title>%s: %d</title></rect>`,
				x, y, w, barH, series[j].Color, esc(series[j].Label), v)
			x += w
		}
		fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" class="chart-value">%d</text>`, x+6, y+barH-4, sum(b.Values))
	}
	s.WriteString("</svg>")
	return template.HTML(s.String())
}

// HeatCell is one cell of a heat map.
type HeatCell struct {
	Text    string  // what the cell says (a count)
	Percent float64 // 0 to 100, the shade
	Marked  bool    // drawn with a heavy border (an addressed kind)
	Tip     string  // the cell's full description
}

// Heat draws a grid of cells shaded by percentage, rows by columns, each
// cell with its number written in it.
func Heat(id, title, desc string, columns, rows []string, cells [][]HeatCell) template.HTML {
	const (
		labelW, headH, cellW, cellH = 70.0, 56.0, 88.0, 26.0
	)
	width := labelW + cellW*float64(len(columns)) + 4
	height := headH + cellH*float64(len(rows)) + 4
	var s strings.Builder
	open(&s, id, title, desc, width, height)
	for j, c := range columns {
		x := labelW + cellW*float64(j) + cellW/2
		lines := wrap(c, 13)
		for k, line := range lines {
			fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" class="chart-label" text-anchor="middle">%s</text>`,
				x, headH-8-14*float64(len(lines)-1-k), esc(line))
		}
	}
	for i, r := range rows {
		y := headH + cellH*float64(i)
		fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" class="chart-label" text-anchor="end">%s</text>`, labelW-8, y+cellH-8, esc(r))
		for j := range columns {
			if j >= len(cells[i]) {
				break
			}
			c := cells[i][j]
			x := labelW + cellW*float64(j)
			stroke, sw := "#fff", 1.0
			if c.Marked {
				stroke, sw = "#111827", 2.0
			}
			fmt.Fprintf(&s, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="%s" stroke-width="%.0f"><title>%s</title></rect>`,
				x+1, y+1, cellW-2, cellH-2, shade(c.Percent), stroke, sw, esc(c.Tip))
			fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" text-anchor="middle" class="chart-cell" fill="%s">%s</text>`,
				x+cellW/2, y+cellH-8, ink(c.Percent), esc(c.Text))
		}
	}
	s.WriteString("</svg>")
	return template.HTML(s.String())
}

func open(s *strings.Builder, id, title, desc string, w, h float64) {
	fmt.Fprintf(s, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" aria-labelledby="%s-title %s-desc">`,
		w, h, w, h, esc(id), esc(id))
	fmt.Fprintf(s, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(id), esc(title), esc(id), esc(desc))
}

// shade runs from a pale to a deep blue as the percentage grows. The middle
// of the ramp, where neither dark nor white text reaches 4.5:1, is skipped:
// up to 50 % the ramp runs to 60 % of its depth, above it from 70 %.
func shade(p float64) string {
	p = math.Max(0, math.Min(100, p))
	if p <= 50 {
		p *= 1.2
	} else {
		p = 70 + (p-50)*0.6
	}
	p /= 100
	from, to := [3]float64{0xf1, 0xf5, 0xf9}, [3]float64{0x1e, 0x3a, 0x8a}
	var c [3]int
	for i := range c {
		c[i] = int(math.Round(from[i] + (to[i]-from[i])*p))
	}
	return fmt.Sprintf("#%02x%02x%02x", c[0], c[1], c[2])
}

// ink is the text colour readable on shade(p): dark on pale, white on deep.
func ink(p float64) string {
	if p > 50 {
		return "#ffffff"
	}
	return "#111827"
}

func wrap(s string, width int) []string {
	var lines []string
	var line string
	for _, w := range strings.Fields(s) {
		if line != "" && len([]rune(line))+1+len([]rune(w)) > width {
			lines = append(lines, line)
			line = w
			continue
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}

func sum(vs []int) int {
	t := 0
	for _, v := range vs {
		t += v
	}
	return t
}

func esc(s string) string { return html.EscapeString(s) }
