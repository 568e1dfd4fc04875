// Package locale loads the message catalogues Vigil speaks to people in:
// one JSON object of key → text per language, in a directory of an
// embedded file system. The pages and the lure check's reasons each keep
// their own catalogue (the pages' are large, the lure check's travel with
// the model) but read them the same way, for the same languages.
package locale

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// Languages are the languages Vigil speaks, in the order they are offered.
// The first is the fallback for a missing key or an unknown language.
var Languages = []string{"en", "zh", "km", "th", "vi"}

// Catalogue is one language's messages by key.
type Catalogue map[string]string

// Load reads dir/<lang>.json from fsys for every language. A language
// whose file is missing or is not a JSON object of strings is an error
// naming the file.
func Load(fsys fs.FS, dir string) (map[string]Catalogue, error) {
	out := make(map[string]Catalogue, len(Languages))
	for _, lang := range Languages {
		name := path.Join(dir, lang+".json")
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("locale: %w", err)
		}
		c := Catalogue{}
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("locale: %s: %w", name, err)
		}
		out[lang] = c
	}
	return out, nil
}

// Match maps a language tag ("zh-Hans", "km_KH", "TH") to one of
// Languages by its primary subtag, or to the fallback.
func Match(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	for _, l := range Languages {
		if l == tag {
			return l
		}
	}
	return Languages[0]
}
