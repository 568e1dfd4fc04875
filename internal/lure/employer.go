package lure

import (
	"math"
	"sort"
	"strings"
)

// employerKeys are the fields of a Chinese job board ad that describe the
// employer and the size of the hiring rather than the job: the number of
// openings, the company's size and its kind (private, state-owned, a
// one-person business …). The annotators of ORFD counted openings beyond
// what a company of that size hires and the company's kind among their
// anomaly points, and unlike the wording of an ad these carry over to
// companies not seen in training (docs/benchmarks.md, "Lure check").
var employerKeys = map[string]bool{"招聘人数": true, "公司规模": true, "公司性质": true}

// maxEmployerValue is the longest field value, in bytes, read as a category.
const maxEmployerValue = 40

// employerFields returns the ad's employer fields, each as its folded
// "key: value" line, sorted and distinct; nil when it has none.
func employerFields(s string) []string {
	var out []string
	for line := range strings.Lines(s) {
		k := strings.Index(line, ": ")
		if k <= 0 || !employerKeys[line[:k]] {
			continue
		}
		if v := strings.TrimSpace(line[k+2:]); v != "" && len(v) <= maxEmployerValue {
			out = append(out, line[:k]+": "+v)
		}
	}
	sort.Strings(out)
	return compactStrings(out)
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// EmployerModel adds to the raw score of an ad that has employer fields
// (see employerKeys): its bias, and the weight of each field value seen in
// training. It is a logistic regression of the label on the field values
// alone, fitted on the training rows that have them, and combined with the
// text model as naive Bayes combines evidence: its log-odds less the
// prior's are added to the text model's calibrated log-odds on those rows,
// a*z+c (Platt, on the text model's out-of-fold scores). Stored divided by
// a, the weights add to the raw score z. Where the text model ranks ads of
// unseen companies barely better than chance, a is small and the field
// values weigh more.
type EmployerModel struct {
	Bias    float64            `json:"bias"`
	Weights map[string]float64 `json:"weights"`
}

// score returns what the employer fields add to the raw score.
func (e *EmployerModel) score(fields []string) float64 {
	if e == nil || len(fields) == 0 {
		return 0
	}
	z := e.Bias
	for _, f := range fields {
		z += e.Weights[f]
	}
	return z
}

const (
	// employerLambda is the L2 strength of the employer model.
	employerLambda = 1e-4
	// minTextCoef bounds the text model's coefficient from below, so that
	// rescaling by it stays finite.
	minTextCoef = 0.01
)

// fitEmployer fits the employer model on the rows in idx that have
// employer fields, given the text model's out-of-fold scores z. It returns
// nil when those rows hold fewer than minGroupRows of either class.
func fitEmployer(fields [][]string, z, y []float64, idx []int, cfg TrainConfig, salt uint64) *EmployerModel {
	var sel []int
	var np, nn int
	for _, i := range idx {
		if len(fields[i]) == 0 {
			continue
		}
		sel = append(sel, i)
		if y[i] == 1 {
			np++
		} else {
			nn++
		}
	}
	if np < minGroupRows || nn < minGroupRows {
		return nil
	}
	var names []string
	for _, i := range sel {
		names = append(names, fields[i]...)
	}
	sort.Strings(names)
	names = compactStrings(names)
	id := make(map[string]uint32, len(names))
	for k, n := range names {
		id[n] = uint32(k)
	}
	x := make([]vector, len(y))
	zs := make([]float64, 0, len(sel))
	ys := make([]float64, 0, len(sel))
	for _, i := range sel {
		var v vector
		for _, f := range fields[i] {
			v.idx = append(v.idx, id[f])
			v.val = append(v.val, 1)
		}
		x[i] = v
		zs = append(zs, z[i])
		ys = append(ys, y[i])
	}
	bits := 8
	for 1<<bits < len(names) {
		bits++
	}
	w, b := sgd(x, y, sel, TrainConfig{Bits: bits, Epochs: cfg.Epochs, Lambda: employerLambda, Seed: cfg.Seed}, salt)
	// the text model's calibrated log-odds on these rows is a*z+c; the
	// employer model's log-odds less the prior's is added to it, as in
	// naive Bayes, and the sum is divided by a to stay on the raw scale
	a, _ := platt(zs, ys)
	a = max(a, minTextCoef)
	prior := math.Log(float64(np) / float64(nn))
	e := &EmployerModel{Bias: round9((b - prior) / a), Weights: make(map[string]float64, len(names))}
	for n, i := range id {
		e.Weights[n] = round9(w[i] / a)
	}
	return e
}

// round9 rounds to 9 significant decimals, so that the model header's JSON
// is short and does not depend on the last bits of a float's formatting.
func round9(x float64) float64 { return math.Round(x*1e9) / 1e9 }
