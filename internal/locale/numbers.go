package locale

import (
	"strconv"
	"strings"
)

// Number writes n as lang writes it: "12,345" in English, "12 345" (with a
// narrow no-break space) in French.
func Number(lang string, n int) string {
	s := strconv.Itoa(n)
	sep := ","
	if lang == "fr" {
		sep = "\u202f"
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + sep + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Decimal writes v with one decimal, with a comma in French.
func Decimal(lang string, v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	if lang == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// Percent writes a percentage: "42.5%", "42,5 %".
func Percent(lang string, v float64) string {
	if lang == "fr" {
		return Decimal(lang, v) + "\u202f%"
	}
	return Decimal(lang, v) + "%"
}

// Change writes a signed difference: "+3", "−2" (a true minus), "0".
func Change(lang string, n int) string {
	switch {
	case n > 0:
		return "+" + Number(lang, n)
	case n < 0:
		return "−" + Number(lang, -n)
	}
	return "0"
}

// Bytes writes a size for people: "1.2 MB", "1,2 Mo", a no-break space
// keeping the unit with its figure.
func Bytes(lang string, n int64) string {
	units := []string{"B", "KB", "MB", "GB", "TB"}
	if lang == "fr" {
		units = []string{"o", "ko", "Mo", "Go", "To"}
	}
	v, i := float64(n), 0
	for v >= 1000 && i < len(units)-1 {
		v, i = v/1000, i+1
	}
	if i == 0 {
		return strconv.FormatInt(n, 10) + "\u00a0" + units[0]
	}
	return Decimal(lang, v) + "\u00a0" + units[i]
}
