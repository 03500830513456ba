package card_test

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/pctracker/pctracker/internal/card"
)

// A card is a 1200x630 PNG; the same figures give the same bytes, other
// figures other bytes, and a long title or an empty chart still draws.
func TestPNG(t *testing.T) {
	d, err := card.New()
	if err != nil {
		t.Fatal(err)
	}
	series := []card.Series{{Label: "Planned", Color: card.Hex("#4b5563")}, {Label: "Implemented", Color: card.Hex("#047857")}}
	c := card.Card{Title: "Progress on the twelve recommendations against cyber mercenaries, reported at the Paris Peace Forum by states, companies and civil society",
		Subtitle: "2026 · organisations acting, by stage", Site: "Paris Call tracker", Series: series,
		Bars: []card.Bar{{Label: "Rec. 1", Values: []int{3, 4}}, {Label: "Rec. 2", Values: []int{0, 9}}}}
	a, err := d.PNG(c)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != 630 {
		t.Fatalf("size %v, want 1200x630", b)
	}
	again, _ := d.PNG(c)
	if !bytes.Equal(a, again) {
		t.Error("the same card gave other bytes")
	}
	c.Bars[1].Values = []int{1, 9}
	other, _ := d.PNG(c)
	if bytes.Equal(a, other) {
		t.Error("other figures gave the same bytes")
	}
	c.Bars, c.Empty = nil, "No figures yet"
	empty, err := d.PNG(c)
	if err != nil || bytes.Equal(empty, a) {
		t.Fatalf("empty card: %v", err)
	}
	if dir := os.Getenv("PCT_SCREENSHOTS"); dir != "" {
		_ = os.MkdirAll(dir, 0o755)
		_ = os.WriteFile(filepath.Join(dir, "card-unit.png"), a, 0o644)
	}
}
