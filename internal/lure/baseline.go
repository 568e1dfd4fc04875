package lure

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"unicode/utf8"
)

// BaselineKind names a plain bag-of-words classifier that the model is
// compared with.
type BaselineKind string

// The baselines.
const (
	// BaselineTFIDF is logistic regression over TF-IDF weighted word
	// unigrams (each Han, Thai or Khmer character a word), L2-normalised.
	BaselineTFIDF BaselineKind = "tfidf-lr"
	// BaselineNB is multinomial naive Bayes over the same tokens, each
	// counted once per ad (binarised), with add-one smoothing.
	BaselineNB BaselineKind = "nb"
)

// Baseline is a trained bag-of-words classifier. It is used only to
// measure the model against; it has no indicator rules and no job-ad gate.
type Baseline struct {
	kind BaselineKind
	// idf is the inverse document frequency of each token seen in training
	// (tfidf-lr), or the log-odds of each token (nb).
	weight map[string]float64
	idf    map[string]float64
	bias   float64
	// unseen is nb's log-odds of a token not seen in training.
	unseen float64
	// nb holds naive Bayes's model per language of the ad, "" for others.
	nb map[string]*Baseline
	// thresholds holds the score at or above which an ad is called a lure,
	// per language, chosen on out-of-fold scores; "" serves other languages.
	thresholds map[string]float64
}

// Kind returns the kind of baseline.
func (b *Baseline) Kind() BaselineKind { return b.kind }

// baselineTokens returns the tokens of an ad: lower-cased words of spaced
// scripts and single characters of the others, with counts.
func baselineTokens(text string) map[string]int {
	s := fold(text).s
	out := map[string]int{}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch runeClass(r) {
		case classWord:
			j := i + n
			for j < len(s) {
				r2, m := utf8.DecodeRuneInString(s[j:])
				if runeClass(r2) != classWord {
					break
				}
				j += m
			}
			out[s[i:j]]++
			i = j
		case classIdeo, classAbugida:
			out[s[i:i+n]]++
			i += n
		default:
			i += n
		}
	}
	return out
}

// TrainBaseline trains a baseline on rows. Its thresholds are chosen like
// the model's: on out-of-fold scores (folds by group), per language, for a
// false-positive rate of at most fpr.
func TrainBaseline(rows []Example, kind BaselineKind, fpr float64) (*Baseline, error) {
	if kind != BaselineTFIDF && kind != BaselineNB {
		return nil, fmt.Errorf("lure: baseline %q, want %s or %s", kind, BaselineTFIDF, BaselineNB)
	}
	pos, neg := labelCounts(rows)
	if pos == 0 || neg == 0 {
		return nil, errors.New("lure: baseline: want rows of both labels")
	}
	toks := make([]map[string]int, len(rows))
	for i, r := range rows {
		toks[i] = baselineTokens(r.Text)
	}
	const folds = 5
	groups := Groups(rows)
	oof := make([]float64, len(rows))
	for k := range folds {
		var tr []int
		for i := range rows {
			if groupFold("cv\x00"+groups[i], folds) != k {
				tr = append(tr, i)
			}
		}
		b := fitBaseline(kind, rows, toks, tr)
		for i := range rows {
			if groupFold("cv\x00"+groups[i], folds) == k {
				oof[i] = b.score(toks[i], scriptOf(fold(rows[i].Text).s))
			}
		}
	}
	all := make([]int, len(rows))
	for i := range all {
		all[i] = i
	}
	b := fitBaseline(kind, rows, toks, all)
	b.thresholds = map[string]float64{}
	byLang := map[string][]float64{}
	for i, r := range rows {
		if r.Label == 0 {
			l := scriptOf(fold(r.Text).s)
			byLang[l] = append(byLang[l], oof[i])
			byLang[""] = append(byLang[""], oof[i])
		}
	}
	for l, negs := range byLang {
		if len(negs) >= minLangNegatives || l == "" {
			b.thresholds[l] = scoreThreshold(negs, fpr)
		}
	}
	return b, nil
}

// scoreThreshold is threshold for unbounded scores.
func scoreThreshold(negs []float64, fpr float64) float64 {
	negs = append([]float64(nil), negs...)
	sort.Sort(sort.Reverse(sort.Float64Slice(negs)))
	k := int(math.Floor(fpr * float64(len(negs))))
	if k >= len(negs) {
		return math.Inf(-1)
	}
	return math.Nextafter(negs[k], math.Inf(1))
}

// fitBaseline fits a baseline of the kind on the rows in idx.
func fitBaseline(kind BaselineKind, rows []Example, toks []map[string]int, idx []int) *Baseline {
	b := &Baseline{kind: kind, weight: map[string]float64{}}
	switch kind {
	case BaselineNB:
		// one model per language (script), so that the token counts of
		// one language do not shift the other's
		byLang := map[string][]int{}
		for _, i := range idx {
			l := scriptOf(fold(rows[i].Text).s)
			byLang[l] = append(byLang[l], i)
		}
		b.nb = map[string]*Baseline{"": fitNB(rows, toks, idx)}
		for l, is := range byLang {
			var pos int
			for _, i := range is {
				pos += rows[i].Label
			}
			if pos > 0 && pos < len(is) {
				b.nb[l] = fitNB(rows, toks, is)
			}
		}
	case BaselineTFIDF:
		df := map[string]float64{}
		for _, i := range idx {
			for t := range toks[i] {
				df[t]++
			}
		}
		n := float64(len(idx))
		b.idf = make(map[string]float64, len(df))
		for t, d := range df {
			b.idf[t] = math.Log((1+n)/(1+d)) + 1
		}
		// index the vocabulary in sorted order, so training is deterministic
		names := make([]string, 0, len(df))
		for t := range df {
			names = append(names, t)
		}
		sort.Strings(names)
		id := make(map[string]uint32, len(names))
		for k, t := range names {
			id[t] = uint32(k)
		}
		x := make([]vector, len(rows))
		y := make([]float64, len(rows))
		for _, i := range idx {
			x[i] = b.vector(toks[i], id)
			y[i] = float64(rows[i].Label)
		}
		bits := 8
		for 1<<bits < len(names) {
			bits++
		}
		cfg := TrainConfig{Bits: bits, Epochs: 20, Lambda: 1e-4, Seed: 20250101}
		w, bias := sgd(x, y, idx, cfg, 0)
		for k, t := range names {
			b.weight[t] = w[k]
		}
		b.bias = bias
	}
	return b
}

// fitNB fits binarised multinomial naive Bayes on the rows in idx.
func fitNB(rows []Example, toks []map[string]int, idx []int) *Baseline {
	b := &Baseline{kind: BaselineNB, weight: map[string]float64{}}
	count := [2]map[string]float64{{}, {}}
	var total, docs [2]float64
	vocab := map[string]bool{}
	for _, i := range idx {
		y := rows[i].Label
		docs[y]++
		for t := range toks[i] { // binarised: a word counts once per ad
			count[y][t]++
			total[y]++
			vocab[t] = true
		}
	}
	v := float64(len(vocab) + 1)
	for t := range vocab {
		b.weight[t] = math.Log((count[1][t]+1)/(total[1]+v)) - math.Log((count[0][t]+1)/(total[0]+v))
	}
	b.unseen = math.Log(1/(total[1]+v)) - math.Log(1/(total[0]+v))
	b.bias = math.Log((docs[1] + 1) / (docs[0] + 1))
	return b
}

// vector returns the TF-IDF vector of tokens over the vocabulary id:
// sublinear term frequency times idf, scaled to unit length.
func (b *Baseline) vector(toks map[string]int, id map[string]uint32) vector {
	type kv struct {
		i uint32
		v float64
	}
	var xs []kv
	for t, n := range toks {
		k, ok := id[t]
		if !ok {
			continue
		}
		xs = append(xs, kv{k, (1 + math.Log(float64(n))) * b.idf[t]})
	}
	sort.Slice(xs, func(a, c int) bool { return xs[a].i < xs[c].i })
	var norm float64
	for _, x := range xs {
		norm += x.v * x.v
	}
	out := vector{idx: make([]uint32, len(xs)), val: make([]float32, len(xs))}
	norm = math.Sqrt(norm)
	for k, x := range xs {
		out.idx[k], out.val[k] = x.i, float32(x.v/norm)
	}
	return out
}

// score returns the raw score of an ad's tokens: the log-odds for nb, the
// linear score for tfidf-lr.
func (b *Baseline) score(toks map[string]int, lang string) float64 {
	if b.nb != nil {
		m, ok := b.nb[lang]
		if !ok {
			m = b.nb[""]
		}
		return m.score(toks, lang)
	}
	z := b.bias
	// in a fixed order, so that the sum does not depend on map order
	keys := make([]string, 0, len(toks))
	for t := range toks {
		keys = append(keys, t)
	}
	sort.Strings(keys)
	switch b.kind {
	case BaselineNB:
		for _, t := range keys {
			w, ok := b.weight[t]
			if !ok {
				w = b.unseen
			}
			z += w
		}
	case BaselineTFIDF:
		var norm, sum float64
		for _, t := range keys {
			n := toks[t]
			idf, ok := b.idf[t]
			if !ok {
				continue
			}
			v := (1 + math.Log(float64(n))) * idf
			norm += v * v
			sum += float64(float32(b.weight[t])) * float64(float32(v))
		}
		if norm > 0 {
			z += sum / math.Sqrt(norm)
		}
	}
	return z
}

// Predict scores one labelled row. The score is the raw score mapped
// monotonically into (0, 1) without saturating, so that ranking metrics
// see no false ties.
func (b *Baseline) Predict(_ context.Context, ex Example) (Prediction, error) {
	lang := scriptOf(fold(ex.Text).s)
	z := b.score(baselineTokens(ex.Text), lang)
	th, ok := b.thresholds[lang]
	if !ok {
		th = b.thresholds[""]
	}
	p := Prediction{Lang: ex.Lang, Group: ex.Group, Label: ex.Label, Score: 0.5 + math.Atan(z)/math.Pi, Positive: z >= th, Level: LevelLow}
	if p.Positive {
		p.Level = LevelElevated
	}
	return p, nil
}
