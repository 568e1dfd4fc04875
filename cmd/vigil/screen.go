package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/vigil-project/vigil/internal/screen"
)

// screenLine is one line of `vigil screen` output.
type screenLine struct {
	Query   string        `json:"query"`
	Matches []screenMatch `json:"matches"`
}

type screenMatch struct {
	List  string  `json:"list"`
	ID    string  `json:"id"`
	Name  string  `json:"name"`
	Score float64 `json:"score"`
	Why   string  `json:"why"`
}

// runScreen screens names read from stdin, one per line (or a CSV with the
// header name,type,birth_date,country), and writes one JSON line per name
// with its matches, best first. With --expect or --eval-alt it also counts
// how often the expected entry comes first and in the top 5.
func runScreen(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "screen")
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	var lists, evalAlt string
	var primaryOnly, asCSV, expect bool
	var limit int
	var minScore float64
	fs.StringVar(&lists, "list", "", "comma-separated lists to screen against (default all)")
	fs.BoolVar(&primaryOnly, "primary-only", false, "match primary names only, ignoring the lists' aliases")
	fs.BoolVar(&asCSV, "csv", false, "stdin is a CSV with header name,type,birth_date,country")
	fs.IntVar(&limit, "limit", 5, "matches per name (at most 100)")
	fs.Float64Var(&minScore, "min-score", 0, "lowest score to report (0: none; hits for review start at "+fmt.Sprint(screen.ReviewThreshold)+")")
	fs.BoolVar(&expect, "expect", false, "stdin lines are EXPECTED_ID<TAB>NAME; print rank-1 and top-5 accuracy to stderr")
	fs.StringVar(&evalAlt, "eval-alt", "", "read queries from an OFAC alt.csv (aliases of entries in the list, expected = their entry) instead of stdin; print rank-1 and top-5 accuracy to stderr")
	if err := parseConfig(fs, cfg, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("screen: unexpected argument %q (names come on stdin): %w", fs.Arg(0), errUsage)
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := screen.New(db, e.log)
	if err := svc.Load(ctx); err != nil {
		return err
	}
	have, err := svc.Lists(ctx)
	if err != nil {
		return err
	}
	if len(have) == 0 {
		return errors.New("screen: no watch lists: import one with `vigil watchlist import`")
	}
	opt := screen.Options{PrimaryOnly: primaryOnly, Limit: limit, MinScore: minScore}
	if minScore <= 0 {
		opt.MinScore = -1
	}
	if lists != "" {
		opt.Lists = strings.Split(lists, ",")
	}
	next, err := queries(e, evalAlt, asCSV, expect, opt.Lists, svc, ctx)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(e.stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	// The counts per half: the tuning half is the queries whose
	// expected ID ends in an even digit, the held-out half the others.
	var n, r1, r5 int
	var hn, hr1, hr5 [2]int
	for {
		q, want, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		line := screenLine{Query: q.Name, Matches: []screenMatch{}}
		if strings.TrimSpace(q.Name) != "" {
			ms, err := svc.Screen(ctx, q, opt)
			if err != nil {
				return fmt.Errorf("screen: %q: %w", q.Name, err)
			}
			for i, m := range ms {
				line.Matches = append(line.Matches, screenMatch{m.List, m.ID, m.Name, m.Score, m.Why})
				if want != "" && m.ID == want {
					h := evalHalf(want)
					if i == 0 {
						r1++
						hr1[h]++
					}
					if i < 5 {
						r5++
						hr5[h]++
					}
				}
			}
		}
		if want != "" {
			n++
			hn[evalHalf(want)]++
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	if n > 0 {
		fmt.Fprintf(e.stderr, "queries %d  rank-1 %.3f  top-5 %.3f\n", n, float64(r1)/float64(n), float64(r5)/float64(n))
		for h, name := range []string{"tuning (even ID)", "held-out (odd ID)"} {
			if hn[h] > 0 {
				fmt.Fprintf(e.stderr, "  %s: queries %d  rank-1 %.3f  top-5 %.3f\n", name, hn[h],
					float64(hr1[h])/float64(hn[h]), float64(hr5[h])/float64(hn[h]))
			}
		}
	}
	return nil
}

// evalHalf is 0 for the tuning half of an evaluation (expected IDs ending
// in an even digit: the SDN's ent_num) and 1 for the held-out half.
func evalHalf(id string) int {
	if id == "" || (id[len(id)-1]-'0')%2 == 0 {
		return 0
	}
	return 1
}

// queries returns a function yielding the queries to screen and, when
// known, the expected entry ID.
func queries(e *env, evalAlt string, asCSV, expect bool, lists []string, svc *screen.Service, ctx context.Context) (func() (screen.Query, string, error), error) {
	if evalAlt != "" {
		return altQueries(evalAlt, lists, svc, ctx)
	}
	if asCSV {
		r := csv.NewReader(e.stdin)
		r.FieldsPerRecord = -1
		head, err := r.Read()
		if err != nil {
			return nil, fmt.Errorf("screen: CSV header: %w", err)
		}
		col := map[string]int{}
		for i, h := range head {
			col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
		}
		if _, ok := col["name"]; !ok {
			return nil, fmt.Errorf("screen: CSV header %v: want name,type,birth_date,country: %w", head, errUsage)
		}
		return func() (screen.Query, string, error) {
			rec, err := r.Read()
			if err != nil {
				if err == io.EOF {
					return screen.Query{}, "", err
				}
				return screen.Query{}, "", fmt.Errorf("screen: %w", err) // csv.ParseError names the line
			}
			get := func(c string) string {
				if i, ok := col[c]; ok && i < len(rec) {
					return strings.TrimSpace(rec[i])
				}
				return ""
			}
			return screen.Query{Name: get("name"), Type: get("type"), BirthDate: get("birth_date"), Country: get("country")}, "", nil
		}, nil
	}
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	return func() (screen.Query, string, error) {
		if !sc.Scan() {
			if err := sc.Err(); err != nil {
				return screen.Query{}, "", fmt.Errorf("screen: line %d: %w", line+1, err)
			}
			return screen.Query{}, "", io.EOF
		}
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if expect {
			id, name, ok := strings.Cut(text, "\t")
			if !ok {
				return screen.Query{}, "", fmt.Errorf("screen: line %d: want EXPECTED_ID<TAB>NAME", line)
			}
			return screen.Query{Name: strings.TrimSpace(name)}, strings.TrimSpace(id), nil
		}
		return screen.Query{Name: strings.TrimSpace(text)}, "", nil
	}, nil
}

// altQueries reads an OFAC alt.csv and yields each alias whose entry is in
// the lists screened, with that entry as the expected answer.
func altQueries(path string, lists []string, svc *screen.Service, ctx context.Context) (func() (screen.Query, string, error), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("screen: %w", err)
	}
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("screen: %s: %w", path, err)
	}
	ids, err := svc.EntryIDs(ctx, lists)
	if err != nil {
		return nil, err
	}
	i := 0
	return func() (screen.Query, string, error) {
		for i < len(recs) {
			rec := recs[i]
			i++
			if len(rec) == 1 && strings.Trim(rec[0], "\x1a ") == "" {
				continue // DOS end-of-file mark
			}
			if len(rec) < 4 {
				return screen.Query{}, "", fmt.Errorf("screen: %s record %d: want 5 fields, got %d", path, i, len(rec))
			}
			if id := strings.TrimSpace(rec[0]); ids[id] {
				return screen.Query{Name: strings.TrimSpace(rec[3])}, id, nil
			}
		}
		return screen.Query{}, "", io.EOF
	}, nil
}
