package export_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigil-project/vigil/internal/export"
	"github.com/vigil-project/vigil/internal/store"
)

// ftmModel reads the compiled FollowTheMoney model kept beside the schema
// YAML in the shared standards (the same 3.8.4 definitions, with each
// schema's ancestors listed): schema → every property name it has, its
// ancestors' included.
func ftmModel(t *testing.T) map[string]map[string]bool {
	t.Helper()
	dir := filepath.Join(standards, "followthemoney")
	b, err := os.ReadFile(filepath.Join(dir, "defaultModel-v3.8.4.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Schemata map[string]struct {
			Schemata   []string
			Abstract   bool
			Properties map[string]json.RawMessage
		}
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]bool{}
	for name, s := range m.Schemata {
		if s.Abstract {
			continue
		}
		props := map[string]bool{}
		for _, anc := range s.Schemata {
			for p := range m.Schemata[anc].Properties {
				props[p] = true
			}
		}
		out[name] = props
		// Every schema of the model has its YAML definition.
		yml := filepath.Join(dir, "schema", name+".yaml")
		if _, err := os.Stat(yml); err != nil {
			if _, err := os.Stat(filepath.Join(dir, "schema", name+".yml")); err != nil {
				t.Errorf("schema %s has no YAML file", name)
			}
		}
	}
	return out
}

func TestFtM(t *testing.T) {
	model := ftmModel(t)
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			_, out := run(t, f, f.coord, export.Request{Format: export.FtM})
			schemas := map[string]int{}
			ids := map[string]bool{}
			var refs []string
			sc := bufio.NewScanner(bytes.NewReader(out))
			for sc.Scan() {
				var en export.Entity
				if err := json.Unmarshal(sc.Bytes(), &en); err != nil {
					t.Fatalf("line %q: %v", sc.Text(), err)
				}
				props, ok := model[en.Schema]
				if !ok {
					t.Errorf("%s: no (concrete) schema %s in the model", en.ID, en.Schema)
					continue
				}
				schemas[en.Schema]++
				ids[en.ID] = true
				for p, vs := range en.Properties {
					if !props[p] {
						t.Errorf("%s %s: no property %s", en.Schema, en.ID, p)
					}
					if len(vs) == 0 {
						t.Errorf("%s %s: %s has no value", en.Schema, en.ID, p)
					}
				}
				for _, p := range []string{"document", "entity", "subject", "object"} {
					refs = append(refs, en.Properties[p]...)
				}
			}
			for _, r := range refs {
				if !ids[r] {
					t.Errorf("reference %s to no entity", r)
				}
			}
			for _, s := range []string{"Document", "Person", "Company", "UserAccount", "CryptoWallet", "Address", "Documentation", "UnknownLink"} {
				if schemas[s] == 0 {
					t.Errorf("no %s entity: %v", s, schemas)
				}
			}
			for _, never := range []string{"Sok Dara", "Sok Srey", "+85597", "5550101"} {
				if bytes.Contains(out, []byte(never)) {
					t.Errorf("FtM export holds victim data %q", never)
				}
			}
			if e == store.SQLite {
				golden(t, "ftm.golden.json", f.normalise(t, out))
			}
		})
	}
}
