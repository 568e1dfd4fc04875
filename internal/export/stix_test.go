package export_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vigil-project/vigil/internal/export"
	"github.com/vigil-project/vigil/internal/store"
)

// stixSchemas compiles the OASIS STIX 2.1 JSON schemas kept in the shared
// standards, every file registered under its own $id (no network).
func stixSchemas(t *testing.T) func(path string) *jsonschema.Schema {
	t.Helper()
	root := filepath.Join(standards, "stix-2.1", "schemas")
	c := jsonschema.NewCompiler()
	ids := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		r, err := os.Open(p)
		if err != nil {
			return err
		}
		defer r.Close()
		doc, err := jsonschema.UnmarshalJSON(r)
		if err != nil {
			return err
		}
		id := doc.(map[string]any)["$id"].(string)
		rel, _ := filepath.Rel(root, p)
		ids[filepath.ToSlash(rel)] = id
		return c.AddResource(id, doc)
	})
	if err != nil {
		t.Fatal(err)
	}
	compiled := map[string]*jsonschema.Schema{}
	return func(path string) *jsonschema.Schema {
		if s := compiled[path]; s != nil {
			return s
		}
		id, ok := ids[path]
		if !ok {
			t.Fatalf("no STIX schema %s", path)
		}
		s, err := c.Compile(id)
		if err != nil {
			t.Fatalf("compile %s: %v", path, err)
		}
		compiled[path] = s
		return s
	}
}

// stixSchemaOf is the schema an object of type typ validates against.
func stixSchemaOf(typ string) string {
	switch typ {
	case "marking-definition", "extension-definition", "bundle":
		return "common/" + typ + ".json"
	case "relationship", "sighting":
		return "sros/" + typ + ".json"
	case "email-addr", "url", "domain-name", "user-account":
		return "observables/" + typ + ".json"
	case "phone-number", "cryptocurrency-wallet":
		// Custom observables: the core every SCO validates against.
		return "common/cyber-observable-core.json"
	}
	return "sdos/" + typ + ".json"
}

func TestSTIX(t *testing.T) {
	schema := stixSchemas(t)
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			ex, out := run(t, f, f.coord, export.Request{Format: export.STIX})
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("bundle is not JSON: %v\n%s", err, out)
			}
			// The upstream bundle schema lists neither location nor
			// extension-definition, and its branch for other objects
			// wants exactly one of the SDO and SCO cores, which any SDO
			// satisfies both of: the envelope is checked with the objects
			// it lists, every object below against its own schema.
			env := map[string]any{}
			for k, v := range doc.(map[string]any) {
				env[k] = v
			}
			var listed []any
			for _, o := range doc.(map[string]any)["objects"].([]any) {
				if typ := o.(map[string]any)["type"]; typ != "location" && typ != "extension-definition" {
					listed = append(listed, o)
				}
			}
			env["objects"] = listed
			if err := schema("common/bundle.json").Validate(env); err != nil {
				t.Errorf("bundle: %v", err)
			}
			objs := doc.(map[string]any)["objects"].([]any)
			if ex.Rows != len(objs) {
				t.Errorf("Rows = %d, bundle has %d objects", ex.Rows, len(objs))
			}
			types := map[string]int{}
			ids := map[string]bool{}
			for _, o := range objs {
				m := o.(map[string]any)
				typ := m["type"].(string)
				types[typ]++
				ids[m["id"].(string)] = true
				if err := schema(stixSchemaOf(typ)).Validate(o); err != nil {
					t.Errorf("%s %s: %v", typ, m["id"], err)
				}
			}
			// Every reference resolves inside the bundle.
			for _, o := range objs {
				m := o.(map[string]any)
				for _, k := range []string{"source_ref", "target_ref", "created_by_ref"} {
					if r, ok := m[k].(string); ok && !ids[r] {
						t.Errorf("%s %s: %s %s is not in the bundle", m["type"], m["id"], k, r)
					}
				}
			}
			// The victims' contact (+855 97 555 0101) never appears;
			// the recruiters' do, each as indicator and observable.
			for _, never := range []string{"+85597", "5550101", "Sok Dara", "Sok Srey"} {
				if bytes.Contains(out, []byte(never)) {
					t.Errorf("bundle holds a victim's data %q", never)
				}
			}
			for _, want := range []string{
				`"pattern":"[phone-number:value = '+85512345678']"`,
				`"pattern":"[user-account:account_type = 'telegram' AND user-account:account_login = '@golden_job_kh']"`,
				`"type":"cryptocurrency-wallet"`,
				`"type":"email-addr","value":"hr@goldenjobs-kh.com"`,
				`"id":"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"`,
				`"type":"threat-actor"`,
				`"type":"location"`,
			} {
				if !bytes.Contains(out, []byte(want)) {
					t.Errorf("bundle lacks %s", want)
				}
			}
			if types["indicator"] == 0 || types["indicator"] != types["relationship"]-countRel(objs, "indicates")-countRel(objs, "located-at") {
				t.Errorf("every indicator needs one based-on relationship: %v", types)
			}
			// The phone in a verified report is trusted more than the
			// e-mail in one unverified report.
			conf := map[string]string{}
			for _, o := range objs {
				m := o.(map[string]any)
				if m["type"] == "indicator" {
					conf[m["pattern"].(string)] = fmt.Sprint(m["confidence"])
				}
			}
			if p, m := conf["[phone-number:value = '+85512345678']"], conf["[email-addr:value = 'hr@goldenjobs-kh.com']"]; p < "70" || m > "50" || len(p) != 2 || len(m) != 2 {
				t.Errorf("confidence: phone %v (verified), e-mail %v (one report)", p, m)
			}
			// Re-export is byte for byte the same but for nothing: ids
			// and times come from the data.
			_, again := run(t, f, f.coord, export.Request{Format: export.STIX})
			if !bytes.Equal(out, again) {
				t.Error("a second export differs from the first")
			}
			if e == store.SQLite {
				// The organisation's id (random per database) makes the
				// identity's and the bundle's: the golden file names them.
				norm := out
				for _, o := range objs {
					if m := o.(map[string]any); m["type"] == "identity" {
						norm = bytes.ReplaceAll(norm, []byte(m["id"].(string)), []byte("identity--00000000-0000-5000-8000-000000000000"))
					}
				}
				norm = bytes.ReplaceAll(norm, []byte(doc.(map[string]any)["id"].(string)), []byte("bundle--00000000-0000-5000-8000-000000000000"))
				golden(t, "stix.golden.json", norm)
			}
		})
	}
}

func countRel(objs []any, typ string) int {
	n := 0
	for _, o := range objs {
		if m := o.(map[string]any); m["type"] == "relationship" && m["relationship_type"] == typ {
			n++
		}
	}
	return n
}

func TestSTIXTLP(t *testing.T) {
	f := newFixture(t, store.SQLite)
	_, out := run(t, f, f.coord, export.Request{Format: export.STIX, TLP: "red"})
	var b struct{ Objects []map[string]any }
	if err := json.Unmarshal(out, &b); err != nil {
		t.Fatal(err)
	}
	for _, o := range b.Objects {
		if o["type"] == "marking-definition" {
			if o["id"] != "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed" {
				t.Errorf("TLP:RED marking is %v", o["id"])
			}
			continue
		}
		refs, _ := o["object_marking_refs"].([]any)
		if o["type"] != "extension-definition" && (len(refs) != 1 || refs[0] != "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed") {
			t.Errorf("%s %s marked %v", o["type"], o["id"], refs)
		}
	}
}
