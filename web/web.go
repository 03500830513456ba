// Package web embeds the templates, message catalogues and static assets of
// pctracker, so the binary serves its pages with nothing beside it.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
	"strings"
)

//go:embed templates i18n static
var files embed.FS

// Templates returns the template tree: layouts, partials and pages.
func Templates() fs.FS { return mustSub("templates") }

// I18n returns the message catalogues, one file per language.
func I18n() fs.FS { return mustSub("i18n") }

// Static returns the static assets.
func Static() fs.FS { return mustSub("static") }

// StaticHashes returns a short content hash for every static file, used in
// URLs so that browsers may cache assets forever and still see changes.
func StaticHashes() (map[string]string, error) {
	out := map[string]string{}
	err := fs.WalkDir(Static(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Static(), path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[path] = hex.EncodeToString(sum[:])[:10]
		return nil
	})
	return out, err
}

// Fingerprinted names each static file with its hash before its extension
// (css/app.css -> css/app.3f9a1c2b04.css): the name the pages link to,
// which may be cached forever since other bytes get another name.
func Fingerprinted(hashes map[string]string) map[string]string {
	out := make(map[string]string, len(hashes))
	for name, h := range hashes {
		ext := path.Ext(name)
		out[name] = strings.TrimSuffix(name, ext) + "." + h + ext
	}
	return out
}

func mustSub(dir string) fs.FS {
	sub, err := fs.Sub(files, dir)
	if err != nil {
		panic(err) // the embed pattern above guarantees the folder exists
	}
	return sub
}
