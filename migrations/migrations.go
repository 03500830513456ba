// Package migrations embeds the versioned SQL schema of pctracker, one folder
// per database dialect, and the initial reference data that is not schema
// (the crosswalk). Files are numbered and carry goose annotations.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// The initial crosswalk, loaded at the first start (see package
// framework), and the list of the sources it was compiled from.
var (
	//go:embed crosswalk/crosswalk.yaml
	crosswalk []byte
	//go:embed crosswalk/crosswalk-sources.md
	crosswalkSources []byte
)

// Crosswalk returns the initial crosswalk file.
func Crosswalk() []byte { return crosswalk }

// CrosswalkSources returns the sources of the initial crosswalk, as
// Markdown.
func CrosswalkSources() []byte { return crosswalkSources }

// FS returns the migrations of one dialect: "postgres" or "sqlite".
func FS(dialect string) (fs.FS, error) {
	return fs.Sub(files, dialect)
}
