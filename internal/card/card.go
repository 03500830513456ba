// Package card draws the share cards: the 1200x630 PNG images that social
// sites and chat applications show beside a link to a page, with the
// page's title, its figure as a bar chart and the site's name. They are
// drawn on the server from the figures the page shows, with the Go fonts,
// so that a card says what the page says without any script or browser.
package card

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strconv"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Width and Height are the size Open Graph and Twitter recommend for a
// large card.
const (
	Width  = 1200
	Height = 630
)

// Series is one colour of the chart's stacked bars, named in its legend.
type Series struct {
	Label string
	Color color.Color
}

// Bar is one row of the chart: a short label and one value per series.
type Bar struct {
	Label  string
	Values []int
}

// Card is what one image says.
type Card struct {
	Title    string // the page's title, on two lines at most
	Subtitle string // a line under it: the cycle, what is counted
	Site     string // the site's name, bottom right
	Series   []Series
	Bars     []Bar
	Empty    string // said in place of the chart when there are no bars
}

var (
	ink    = color.RGBA{0x11, 0x18, 0x27, 0xff}
	muted  = color.RGBA{0x4b, 0x55, 0x63, 0xff}
	accent = color.RGBA{0x1d, 0x4e, 0xd8, 0xff}
	rule   = color.RGBA{0xe5, 0xe7, 0xeb, 0xff}
)

// Drawer holds the parsed fonts; it is safe for concurrent use, each
// drawing making its own faces.
type Drawer struct {
	regular, bold *opentype.Font
}

// New parses the fonts once.
func New() (*Drawer, error) {
	r, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("card: regular font: %w", err)
	}
	b, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, fmt.Errorf("card: bold font: %w", err)
	}
	return &Drawer{regular: r, bold: b}, nil
}

// canvas is one drawing in progress.
type canvas struct {
	img   *image.RGBA
	faces []font.Face
}

func (d *Drawer) face(cv *canvas, f *opentype.Font, size float64) (font.Face, error) {
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, err
	}
	cv.faces = append(cv.faces, face)
	return face, nil
}

// PNG draws c. The same card gives the same bytes: the PNG encoder writes
// no time stamp, so an image's ETag changes only with what it shows.
func (d *Drawer) PNG(c Card) ([]byte, error) {
	cv := &canvas{img: image.NewRGBA(image.Rect(0, 0, Width, Height))}
	defer func() {
		for _, f := range cv.faces {
			_ = f.Close()
		}
	}()
	draw.Draw(cv.img, cv.img.Bounds(), image.White, image.Point{}, draw.Src)
	fill(cv.img, image.Rect(0, 0, Width, 14), accent)
	title, err := d.face(cv, d.bold, 46)
	if err != nil {
		return nil, err
	}
	small, err := d.face(cv, d.regular, 24)
	if err != nil {
		return nil, err
	}
	label, err := d.face(cv, d.bold, 22)
	if err != nil {
		return nil, err
	}
	y := 78
	for _, line := range wrap(title, c.Title, Width-120, 2) {
		text(cv.img, title, ink, 60, y, line)
		y += 56
	}
	if c.Subtitle != "" {
		text(cv.img, small, muted, 60, y, fit(small, c.Subtitle, Width-120))
		y += 44
	}
	if len(c.Bars) == 0 {
		text(cv.img, small, muted, 60, (y+Height-80)/2, fit(small, c.Empty, Width-120))
	} else {
		legend(cv.img, small, c.Series, y)
		drawBars(cv.img, small, c, y+24, Height-80)
	}
	fill(cv.img, image.Rect(60, Height-64, Width-60, Height-62), rule)
	text(cv.img, label, accent, Width-60-font.MeasureString(label, c.Site).Ceil(), Height-24, c.Site)
	var buf bytes.Buffer
	if err := png.Encode(&buf, cv.img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// drawBars draws the horizontal stacked bars between top and bottom, each
// labelled on its left and ending with its total, all scaled to the
// longest.
func drawBars(img *image.RGBA, face font.Face, c Card, top, bottom int) {
	const left, labelW, right = 60, 150, 90
	max := 1
	for _, b := range c.Bars {
		if t := sum(b.Values); t > max {
			max = t
		}
	}
	row := (bottom - top) / len(c.Bars)
	if row > 64 {
		row = 64
	}
	barH := row * 7 / 10
	plotW := Width - left - labelW - right
	ascent := face.Metrics().Ascent.Ceil()
	for i, b := range c.Bars {
		y := top + i*row
		mid := y + barH/2 + ascent/2 - 2
		lw := font.MeasureString(face, b.Label).Ceil()
		text(img, face, ink, left+labelW-12-lw, mid, b.Label)
		x := left + labelW
		for j, v := range b.Values {
			if v <= 0 || j >= len(c.Series) {
				continue
			}
			w := plotW * v / max
			if w < 2 {
				w = 2
			}
			fill(img, image.Rect(x, y, x+w, y+barH), c.Series[j].Color)
			x += w
		}
		text(img, face, ink, x+10, mid, strconv.Itoa(sum(b.Values)))
	}
}

// legend names each series beside its swatch on the line at y, as many
// as fit across the card.
func legend(img *image.RGBA, face font.Face, series []Series, y int) {
	x := 60
	for _, s := range series {
		w := 26 + font.MeasureString(face, s.Label).Ceil()
		if x+w > Width-60 {
			return
		}
		fill(img, image.Rect(x, y-18, x+18, y), s.Color)
		text(img, face, muted, x+26, y, s.Label)
		x += w + 28
	}
}

func fill(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

func text(img *image.RGBA, face font.Face, c color.Color, x, y int, s string) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// wrap breaks s into lines no wider than width, at most n of them, the
// last cut with an ellipsis when the text goes on.
func wrap(face font.Face, s string, width, n int) []string {
	var lines []string
	line := ""
	words := strings.Fields(s)
	for i, w := range words {
		try := strings.TrimSpace(line + " " + w)
		if font.MeasureString(face, try).Ceil() <= width || line == "" {
			line = try
			continue
		}
		if len(lines) == n-1 {
			return append(lines, fit(face, line+" "+strings.Join(words[i:], " "), width))
		}
		lines, line = append(lines, line), w
	}
	if line != "" {
		lines = append(lines, fit(face, line, width))
	}
	return lines
}

// fit cuts s to width with an ellipsis.
func fit(face font.Face, s string, width int) string {
	if font.MeasureString(face, s).Ceil() <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && font.MeasureString(face, string(r)+"…").Ceil() > width {
		r = r[:len(r)-1]
	}
	return strings.TrimSpace(string(r)) + "…"
}

func sum(v []int) int {
	t := 0
	for _, n := range v {
		t += n
	}
	return t
}

// Hex reads a colour written #rrggbb, as the charts' colours are; anything
// else is the text colour.
func Hex(s string) color.Color {
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "#"), 16, 32)
	if err != nil || len(s) != 7 {
		return ink
	}
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}
}
