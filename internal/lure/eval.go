package lure

import (
	"context"
	"sort"
)

// Prediction is the answer for one labelled row, as Evaluate needs it.
type Prediction struct {
	Lang  string
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
	p := Prediction{Lang: ex.Lang, Label: ex.Label, Score: r.Score, Positive: r.Level.AtLeast(LevelElevated), Level: r.Level}
	if raw {
		c := s.model.calibration(r.AdLang)
		p.Score = r.Probability
		p.Positive = r.Probability >= c.Elevated
		p.Level = LevelLow
		switch {
		case r.Probability >= c.High:
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
