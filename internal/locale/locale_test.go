package locale_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/vigil-project/vigil/internal/locale"
)

func TestMatch(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"zh-Hans", "zh"}, {"km_KH", "km"}, {" TH ", "th"}, {"vi", "vi"}, {"en-GB", "en"},
		{"fr", "en"}, {"", "en"}, {"-", "en"},
	} {
		if got := locale.Match(tt.in); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLoad(t *testing.T) {
	good := fstest.MapFS{}
	for _, l := range locale.Languages {
		good["m/"+l+".json"] = &fstest.MapFile{Data: []byte(`{"hello":"` + l + `"}`)}
	}
	cats, err := locale.Load(good, "m")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range locale.Languages {
		if cats[l]["hello"] != l {
			t.Errorf("%s: %q", l, cats[l]["hello"])
		}
	}
	for name, fsys := range map[string]fstest.MapFS{
		"missing": {"m/en.json": good["m/en.json"]},
		"not strings": func() fstest.MapFS {
			m := fstest.MapFS{}
			for k, v := range good {
				m[k] = v
			}
			m["m/th.json"] = &fstest.MapFile{Data: []byte(`{"hello":1}`)}
			return m
		}(),
	} {
		_, err := locale.Load(fsys, "m")
		if err == nil || !strings.Contains(err.Error(), "m/") {
			t.Errorf("%s: %v, want an error naming the file", name, err)
		}
	}
}
