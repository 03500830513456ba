package locale

import (
	"slices"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Country is a country's ISO 3166-1 alpha-2 code and its name in a
// language.
type Country struct {
	Code, Name string
}

// Countries names the codes in lang ("en" or "fr"), from the Unicode CLDR
// data that golang.org/x/text carries, in the language's alphabetical
// order ("États-Unis" among the E). A code that is no country keeps its
// code as its name; an empty one is left out.
func Countries(lang string, codes []string) []Country {
	tag := language.English
	if lang == "fr" {
		tag = language.French
	}
	names := display.Regions(tag)
	out := make([]Country, 0, len(codes))
	for _, code := range codes {
		if code == "" {
			continue
		}
		c := Country{Code: code, Name: code}
		if r, err := language.ParseRegion(code); err == nil {
			if n := names.Name(r); n != "" {
				c.Name = n
			}
		}
		out = append(out, c)
	}
	col := collate.New(tag)
	slices.SortFunc(out, func(a, b Country) int { return col.CompareString(a.Name, b.Name) })
	return out
}
