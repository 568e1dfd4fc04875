package lure

import (
	"context"
	"fmt"
	"sort"
)

// Prediction is the answer for one labelled row, as Evaluate needs it.
type Prediction struct {
	Lang string
	// Group is the row's campaign or company group (see Groups), for
	// resampling by group.
	Group string
	Label int
	// Score orders rows by concern (Result.Score, or the probability in
	// raw mode).
	Score float64
	// Positive reports whether the row was called a lure: level elevated or
	// high (or, in raw mode, probability at or above the elevated
	// threshold).
	Positive bool
	Level    Level
}

// Predict scores one labelled row. With raw set, only the model counts:
// the call is the probability against the elevated threshold, without the
// indicator rules, the job-ad gate or the link index.
func (s *Scorer) Predict(ctx context.Context, ex Example, raw bool) (Prediction, error) {
	r, err := s.Score(ctx, ex.Text, "en")
	p := Prediction{Lang: ex.Lang, Group: ex.Group, Label: ex.Label, Score: r.Score, Positive: r.Level.AtLeast(LevelElevated), Level: r.Level}
	if raw {
		prob, c := s.probability(ex.Text) // not rounded, so that ranking sees no false ties
		p.Score = prob
		p.Positive = prob >= c.Elevated
		p.Level = LevelLow
		switch {
		case prob >= c.High:
			p.Level = LevelHigh
		case p.Positive:
			p.Level = LevelElevated
		}
	}
	return p, err
}

// Confusion is a confusion matrix for the lure class.
type Confusion struct {
	TP int `json:"tp"`
	FP int `json:"fp"`
	FN int `json:"fn"`
	TN int `json:"tn"`
}

// Metrics are the quality figures of the lure class on a set of rows. A
// ratio whose denominator is zero is reported as 0.
type Metrics struct {
	N         int `json:"n"`
	Positives int `json:"positives"`
	Negatives int `json:"negatives"`
	// Precision, Recall, F1 and FPR (false-positive rate) are at the
	// operating point: a row is called a lure when its level is elevated
	// or high.
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	FPR       float64 `json:"fpr"`
	// PRAUC is the area under the precision-recall curve of Score
	// (average precision).
	PRAUC float64 `json:"pr_auc"`
	// RecallAtFPR5 is the best recall with a false-positive rate of at most
	// 5 % if the threshold were chosen on these very rows: a measure of
	// ranking, not of the operating point.
	RecallAtFPR5 float64       `json:"recall_at_fpr05"`
	Confusion    Confusion     `json:"confusion"`
	Levels       map[Level]int `json:"levels"`
}

// Report is the result of an evaluation: the overall metrics at the top
// level, and the same per language.
type Report struct {
	Metrics
	ByLang map[string]Metrics `json:"by_lang"`
}

// Evaluate computes the metrics of the predictions, overall and per
// language.
func Evaluate(preds []Prediction) Report {
	rep := Report{Metrics: measure(preds), ByLang: map[string]Metrics{}}
	byLang := map[string][]Prediction{}
	for _, p := range preds {
		byLang[p.Lang] = append(byLang[p.Lang], p)
	}
	for l, ps := range byLang {
		rep.ByLang[l] = measure(ps)
	}
	return rep
}

func measure(preds []Prediction) Metrics {
	m := Metrics{N: len(preds), Levels: map[Level]int{LevelLow: 0, LevelElevated: 0, LevelHigh: 0}}
	c := &m.Confusion
	for _, p := range preds {
		m.Levels[p.Level]++
		switch {
		case p.Label == 1 && p.Positive:
			c.TP++
		case p.Label == 1:
			c.FN++
		case p.Positive:
			c.FP++
		default:
			c.TN++
		}
	}
	m.Positives, m.Negatives = c.TP+c.FN, c.FP+c.TN
	m.Precision = round4(ratio(c.TP, c.TP+c.FP))
	m.Recall = round4(ratio(c.TP, c.TP+c.FN))
	if m.Precision+m.Recall > 0 {
		m.F1 = round4(2 * m.Precision * m.Recall / (m.Precision + m.Recall))
	}
	m.FPR = round4(ratio(c.FP, c.FP+c.TN))
	m.PRAUC, m.RecallAtFPR5 = ranking(preds)
	return m
}

// ranking returns the average precision of the scores and the best recall
// at a false-positive rate of at most 5 %. Tied scores move together.
func ranking(preds []Prediction) (float64, float64) {
	ps := append([]Prediction(nil), preds...)
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Score > ps[j].Score })
	var pos, neg int
	for _, p := range ps {
		if p.Label == 1 {
			pos++
		} else {
			neg++
		}
	}
	if pos == 0 {
		return 0, 0
	}
	var ap, best float64
	tp, fp := 0, 0
	for i := 0; i < len(ps); {
		j, groupPos := i, 0
		for j < len(ps) && ps[j].Score == ps[i].Score {
			if ps[j].Label == 1 {
				tp++
				groupPos++
			} else {
				fp++
			}
			j++
		}
		// every positive in a group of ties gets the group's precision
		ap += float64(tp) / float64(tp+fp) * float64(groupPos) / float64(pos)
		if neg == 0 || float64(fp)/float64(neg) <= 0.05 {
			best = max(best, float64(tp)/float64(pos))
		}
		i = j
	}
	return round4(ap), round4(best)
}

// Interval is the spread of a figure over resamples: its 5th and 95th
// percentiles.
type Interval struct {
	Lo float64 `json:"lo"`
	Hi float64 `json:"hi"`
}

// Spread is the campaign-resampled spread of the main figures.
type Spread struct {
	Recall       Interval `json:"recall"`
	FPR          Interval `json:"fpr"`
	PRAUC        Interval `json:"pr_auc"`
	RecallAtFPR5 Interval `json:"recall_at_fpr05"`
}

// Resample returns the spread of the metrics when the groups (campaigns and
// companies) of the predictions are drawn again with replacement, n times,
// overall ("") and per language. Each prediction's Group must be set; a
// whole group is drawn or not, so a campaign of fifty ads weighs as it
// would in a new sample of campaigns. The draws are seeded and repeatable.
func Resample(preds []Prediction, n int, seed uint64) map[string]Spread {
	out := map[string]Spread{}
	sets := map[string][]Prediction{"": preds}
	for _, p := range preds {
		sets[p.Lang] = append(sets[p.Lang], p)
	}
	for lang, ps := range sets {
		var names []string
		members := map[string][]int{}
		for i, p := range ps {
			if _, ok := members[p.Group]; !ok {
				names = append(names, p.Group)
			}
			members[p.Group] = append(members[p.Group], i)
		}
		rng := splitmix(seed ^ uint64(len(lang))*0x9e3779b97f4a7c15)
		var rec, fpr, auc, r5 []float64
		for range n {
			var draw []Prediction
			for range names {
				for _, i := range members[names[rng.next()%uint64(len(names))]] {
					draw = append(draw, ps[i])
				}
			}
			m := measure(draw)
			rec, fpr, auc, r5 = append(rec, m.Recall), append(fpr, m.FPR), append(auc, m.PRAUC), append(r5, m.RecallAtFPR5)
		}
		out[lang] = Spread{Recall: interval(rec), FPR: interval(fpr), PRAUC: interval(auc), RecallAtFPR5: interval(r5)}
	}
	return out
}

func interval(xs []float64) Interval {
	if len(xs) == 0 {
		return Interval{}
	}
	sort.Float64s(xs)
	at := func(q float64) float64 { return xs[min(len(xs)-1, int(q*float64(len(xs))))] }
	return Interval{Lo: round4(at(0.05)), Hi: round4(at(0.95))}
}

// The names of the models CrossValidate compares.
const (
	ModelVigil    = "vigil"     // the model with the indicator rules and the job-ad gate
	ModelVigilRaw = "vigil-raw" // the model alone
)

// CrossValidate measures a training recipe on campaigns it has not seen:
// the groups of rows (see Groups) are dealt into k folds, and each fold is
// scored by models trained on the other folds plus extra (rows that are
// never scored, such as the training corpus). It returns the pooled
// predictions of Vigil's model, with and without the rules, and of each
// baseline, keyed by name (ModelVigil, ModelVigilRaw, or the baseline kind).
// Each prediction's Group is set, for Resample.
func CrossValidate(ctx context.Context, rows, extra []Example, k int, cfg TrainConfig) (map[string][]Prediction, error) {
	if k < 2 {
		return nil, fmt.Errorf("lure: cross-validate: %d folds, want at least 2", k)
	}
	cfg = cfg.withDefaults()
	groups := Groups(rows)
	out := map[string][]Prediction{}
	for f := range k {
		var tr, te []Example
		var teGroups []string
		for i, r := range rows {
			if groupFold("outer\x00"+groups[i], k) == f {
				te = append(te, r)
				teGroups = append(teGroups, groups[i])
			} else {
				tr = append(tr, r)
			}
		}
		if len(te) == 0 {
			continue
		}
		tr = append(tr, extra...)
		m, err := Train(tr, cfg)
		if err != nil {
			return nil, fmt.Errorf("lure: cross-validate fold %d: %w", f, err)
		}
		s, err := New(WithModel(m))
		if err != nil {
			return nil, err
		}
		for _, kind := range []BaselineKind{BaselineTFIDF, BaselineNB} {
			b, err := TrainBaseline(tr, kind, cfg.ElevatedFPR)
			if err != nil {
				return nil, fmt.Errorf("lure: cross-validate fold %d: %w", f, err)
			}
			for i, r := range te {
				p, _ := b.Predict(ctx, r)
				p.Group = teGroups[i]
				out[string(kind)] = append(out[string(kind)], p)
			}
		}
		for i, r := range te {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			for name, raw := range map[string]bool{ModelVigil: false, ModelVigilRaw: true} {
				p, err := s.Predict(ctx, r, raw)
				if err != nil {
					return nil, err
				}
				p.Group = teGroups[i]
				out[name] = append(out[name], p)
			}
		}
	}
	return out, nil
}
