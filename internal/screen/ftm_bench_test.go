package screen_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/screen"
)

// ftmEntities is the size of the generated FollowTheMoney file: about the
// size of the OpenSanctions default collection.
const ftmEntities = 1_000_000

// writeFTM writes n generated FollowTheMoney entities, one JSON object a
// line, shaped like the OpenSanctions export (see
// ../shared/standards/opensanctions/entities.ftm.sample.json): a caption,
// one or more names, aliases (another order of the name, a misspelling,
// a weak alias), a birth date, nationalities, topics, datasets, and a few
// non-party entities (Address, Sanction) that the parser skips. Names come
// from genName, so the list repeats names the way real lists repeat
// common ones.
func writeFTM(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	r := rand.New(rand.NewPCG(11, 3))
	countries := []string{"cn", "kh", "th", "vn", "mm", "la", "ru", "ir", "sy", "kp", "ae", "us", "gb", "ph", "id"}
	type entity struct {
		ID         string              `json:"id"`
		Caption    string              `json:"caption"`
		Schema     string              `json:"schema"`
		Properties map[string][]string `json:"properties"`
		Datasets   []string            `json:"datasets"`
		FirstSeen  string              `json:"first_seen"`
		Target     bool                `json:"target"`
	}
	for i := range n {
		if i%50 == 49 {
			// A non-party entity, skipped by the parser.
			if err := enc.Encode(entity{ID: fmt.Sprintf("addr-%d", i), Caption: "Street 1", Schema: "Address",
				Properties: map[string][]string{"full": {"Street 1, Phnom Penh"}}, Datasets: []string{"gen"}}); err != nil {
				return err
			}
			continue
		}
		name, typ := genName(r)
		schema := "Person"
		if typ == screen.TypeEntity {
			schema = "Company"
		}
		p := map[string][]string{
			"name":        {name},
			"topics":      {"sanction"},
			"nationality": {countries[r.IntN(len(countries))]},
		}
		if typ == screen.TypePerson {
			p["birthDate"] = []string{fmt.Sprintf("%d-%02d-%02d", 1940+r.IntN(60), 1+r.IntN(12), 1+r.IntN(28))}
		}
		switch x := r.IntN(10); {
		case x < 3:
			p["alias"] = []string{perturb(r, name)}
		case x < 4:
			other, _ := genName(r)
			p["alias"] = []string{perturb(r, name), other}
		case x < 5:
			p["weakAlias"] = []string{strings.Fields(strings.ReplaceAll(name, ",", ""))[0]}
		}
		e := entity{ID: fmt.Sprintf("NK-%08d", i), Caption: name, Schema: schema, Properties: p,
			Datasets: []string{"gen_sanctions"}, FirstSeen: "2024-01-01T00:00:00", Target: true}
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// BenchmarkScreenFTM1M generates a FollowTheMoney file of a million
// entities (not kept), parses and indexes it as an import does, and
// screens names against it: half are listed names misspelled (perturb),
// half are new names. It reports the file's size, the parse and index
// times, the heap the index holds, and names screened per second.
func BenchmarkScreenFTM1M(b *testing.B) {
	path := filepath.Join(b.TempDir(), "entities.ftm.json")
	if err := writeFTM(path, ftmEntities); err != nil {
		b.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	before := heapInUse()
	start := time.Now()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	es, err := screen.ParseFTM(f)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	parse := time.Since(start)
	start = time.Now()
	ix := screen.Build("ftm", es, screen.BuildOptions{})
	build := time.Since(start)
	mem := heapInUse() - before
	r := rand.New(rand.NewPCG(5, 9))
	qs := make([]string, 20000)
	for i := range qs {
		if i%2 == 0 {
			qs[i] = perturb(r, es[r.IntN(len(es))].Name)
		} else {
			qs[i], _ = genName(r)
		}
	}
	benchSearch(b, ix, qs)
	b.ReportMetric(float64(len(es)), "entities")
	b.ReportMetric(float64(ix.Names()), "names")
	b.ReportMetric(float64(st.Size())/(1<<20), "file-MB")
	b.ReportMetric(parse.Seconds(), "parse-s")
	b.ReportMetric(build.Seconds(), "build-s")
	b.ReportMetric(float64(mem)/(1<<20), "heap-MB")
}
