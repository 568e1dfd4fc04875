package lure

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// TrainConfig sets how a model is trained. The zero value of a field means
// its default (see DefaultTrainConfig).
type TrainConfig struct {
	// Features is the feature set; FeaturesBagOfWords trains the baseline.
	Features FeatureSet
	// Bits is log2 of the hashed feature space.
	Bits int
	// Epochs is the number of passes of stochastic gradient descent.
	Epochs int
	// Lambda is the L2 regularisation strength.
	Lambda float64
	// Seed seeds the order of the examples in each epoch.
	Seed uint64
	// Folds is the number of cross-validation folds whose out-of-fold scores
	// calibrate the model and place its thresholds.
	Folds int
	// ElevatedFPR and HighFPR are the largest out-of-fold false-positive
	// rates, in any language, at the elevated and high thresholds.
	ElevatedFPR float64
	HighFPR     float64
}

// DefaultTrainConfig returns the configuration of the embedded model.
func DefaultTrainConfig() TrainConfig {
	return TrainConfig{
		Features:    FeaturesFull,
		Bits:        20,
		Epochs:      30,
		Lambda:      1e-5,
		Seed:        20250101,
		Folds:       5,
		ElevatedFPR: 0.03,
		HighFPR:     0.01,
	}
}

func (c TrainConfig) withDefaults() TrainConfig {
	d := DefaultTrainConfig()
	if c.Features == "" {
		c.Features = d.Features
	}
	if c.Bits == 0 {
		c.Bits = d.Bits
	}
	if c.Epochs == 0 {
		c.Epochs = d.Epochs
	}
	if c.Lambda == 0 {
		c.Lambda = d.Lambda
	}
	if c.Seed == 0 {
		c.Seed = d.Seed
	}
	if c.Folds == 0 {
		c.Folds = d.Folds
	}
	if c.ElevatedFPR == 0 {
		c.ElevatedFPR = d.ElevatedFPR
	}
	if c.HighFPR == 0 {
		c.HighFPR = d.HighFPR
	}
	return c
}

// minLangNegatives is how many legitimate ads a language needs in the
// training data before its out-of-fold false-positive rate constrains the
// thresholds.
const minLangNegatives = 20

// Train fits a model to the labelled rows. Training is deterministic: the
// same rows in the same order with the same configuration give the same
// model, byte for byte.
func Train(rows []Example, cfg TrainConfig) (*Model, error) {
	cfg = cfg.withDefaults()
	switch {
	case !cfg.Features.valid():
		return nil, fmt.Errorf("lure: train: feature set %q", cfg.Features)
	case cfg.Bits < 8 || cfg.Bits > maxModelBits:
		return nil, fmt.Errorf("lure: train: bits %d, want 8 to %d", cfg.Bits, maxModelBits)
	case cfg.Epochs < 1 || cfg.Lambda < 0 || cfg.Folds < 2:
		return nil, errors.New("lure: train: epochs, lambda or folds out of range")
	}
	pos, neg := labelCounts(rows)
	if pos < cfg.Folds || neg < cfg.Folds {
		return nil, fmt.Errorf("lure: train: %d lure and %d legitimate rows, want at least %d of each", pos, neg, cfg.Folds)
	}
	x := vectorizeAll(rows, cfg.Features, cfg.Bits)
	idf := weighIDF(x, cfg.Bits)
	y := make([]float64, len(rows))
	for i, r := range rows {
		y[i] = float64(r.Label)
	}
	oof, folds := outOfFold(rows, x, y, cfg)
	groups := make([]string, len(rows))
	fields := make([][]string, len(rows))
	for i, r := range rows {
		f := fold(r.Text).s
		groups[i] = scriptOf(f)
		fields[i] = employerFields(f)
	}
	cal := calibrate(groups, oof, y, cfg)
	// ads with employer fields have a calibration of their own, on the
	// scores of the text and employer models together; the others keep
	// their language's, on the text model's scores alone
	emp, comb := stackEmployer(fields, oof, y, folds, cfg)
	if emp != nil {
		var zs, ys []float64
		var gs []string
		for i := range rows {
			if len(fields[i]) > 0 {
				zs, ys, gs = append(zs, comb[i]), append(ys, y[i]), append(gs, calEmployer)
			}
		}
		c, ok := calibrate(gs, zs, ys, cfg)[calEmployer]
		if !ok {
			emp = nil // scoring uses the employer model only with its calibration
		}
		for i := range rows {
			if ok && len(fields[i]) > 0 {
				cal[calEmployer] = c
				groups[i], oof[i] = calEmployer, comb[i]
			}
		}
	}
	all := make([]int, len(rows))
	for i := range all {
		all[i] = i
	}
	w, b := sgd(x, y, all, cfg, 0)
	// the model was fitted on features scaled by idf; folding the scale
	// into the weights lets scoring use the plain features
	for i := range w {
		w[i] = float64(w[i] * idf[i])
	}
	m := &Model{w: make([]float32, len(w))}
	for i, v := range w {
		m.w[i] = float32(v)
	}
	m.info = ModelInfo{
		Version: modelVersion, Features: cfg.Features, Bits: cfg.Bits, Bias: b, Calibration: cal, Employer: emp,
		Train: TrainReport{
			Rows: len(rows), Positives: pos, Epochs: cfg.Epochs, Lambda: cfg.Lambda, Seed: cfg.Seed,
			Folds: cfg.Folds, ElevatedFPR: cfg.ElevatedFPR, HighFPR: cfg.HighFPR,
			CVRecall: map[string]float64{}, CVFPR: map[string]float64{},
		},
	}
	pred := make([]bool, len(rows))
	for i, z := range oof {
		c := m.calibration(groups[i])
		pred[i] = c.probability(z) >= c.Elevated
	}
	// out-of-fold recall and false-positive rate by language, overall (""),
	// and of the ads with employer fields
	report := func(key string, in func(i int) bool) {
		var tp, fn, fp, tn int
		for i, r := range rows {
			if !in(i) {
				continue
			}
			switch {
			case r.Label == 1 && pred[i]:
				tp++
			case r.Label == 1:
				fn++
			case pred[i]:
				fp++
			default:
				tn++
			}
		}
		m.info.Train.CVRecall[key] = round4(ratio(tp, tp+fn))
		m.info.Train.CVFPR[key] = round4(ratio(fp, fp+tn))
	}
	for _, lang := range append(langsOf(rows), "") {
		report(lang, func(i int) bool { return lang == "" || rows[i].Lang == lang })
	}
	if emp != nil {
		report(calEmployer, func(i int) bool { return groups[i] == calEmployer })
	}
	for _, v := range m.w {
		if v != 0 {
			m.info.NonZero++
		}
	}
	return m, nil
}

// minGroupRows is how many rows of each class a language needs for a
// calibration of its own.
const minGroupRows = 50

// calibrate fits the calibrations: one per language group with enough rows
// of both classes, and the fallback "" on all rows, whose thresholds are
// the strictest of the groups'.
func calibrate(groups []string, z, y []float64, cfg TrainConfig) map[string]Calibration {
	out := map[string]Calibration{}
	fit := func(sel func(i int) bool) (Calibration, bool) {
		var zs, ys []float64
		var np, nn int
		for i := range z {
			if sel(i) {
				zs = append(zs, z[i])
				ys = append(ys, y[i])
				if y[i] == 1 {
					np++
				} else {
					nn++
				}
			}
		}
		if np < minGroupRows || nn < minGroupRows {
			return Calibration{}, false
		}
		var c Calibration
		c.A, c.B = platt(zs, ys)
		var negs []float64
		for i, v := range zs {
			if ys[i] == 0 {
				negs = append(negs, c.probability(v))
			}
		}
		c.Elevated = threshold(negs, cfg.ElevatedFPR)
		c.High = max(threshold(negs, cfg.HighFPR), c.Elevated)
		return c, true
	}
	gs := map[string]bool{}
	for _, g := range groups {
		gs[g] = true
	}
	names := make([]string, 0, len(gs))
	for g := range gs {
		names = append(names, g)
	}
	sort.Strings(names)
	def, ok := fit(func(int) bool { return true })
	if !ok {
		def = Calibration{A: 1, B: 0, Elevated: 0.5, High: 0.9}
	}
	// the fallback must be strict for every group under its own calibration
	for _, g := range names {
		var negs []float64
		for i := range z {
			if groups[i] == g && y[i] == 0 {
				negs = append(negs, def.probability(z[i]))
			}
		}
		if len(negs) >= minLangNegatives {
			def.Elevated = max(def.Elevated, threshold(negs, cfg.ElevatedFPR))
			def.High = max(def.High, threshold(negs, cfg.HighFPR), def.Elevated)
		}
		if c, ok := fit(func(i int) bool { return groups[i] == g }); ok {
			out[g] = c
		}
	}
	out[""] = def
	return out
}

// outOfFold returns the raw score of each row from a model trained on the
// other folds. Folds are by group (see Groups): a row is scored by a model
// that has seen no ad of its campaign or company, as a new campaign will
// be, so the thresholds placed on these scores hold for new campaigns.
// The fold of a group is the FNV-1a hash of "cv", 0, its name; outOfFold
// returns each row's fold too.
func outOfFold(rows []Example, x []vector, y []float64, cfg TrainConfig) ([]float64, []int) {
	groups := Groups(rows)
	fold := make([]int, len(rows))
	for i := range rows {
		fold[i] = groupFold("cv\x00"+groups[i], cfg.Folds)
	}
	oof := make([]float64, len(rows))
	for k := range cfg.Folds {
		var tr []int
		for i := range rows {
			if fold[i] != k {
				tr = append(tr, i)
			}
		}
		w, b := sgd(x, y, tr, cfg, uint64(k+1))
		for i := range rows {
			if fold[i] == k {
				oof[i] = dot(w, b, x[i])
			}
		}
	}
	return oof, fold
}

// stackEmployer fits the employer model (see EmployerModel) on the text
// model's out-of-fold scores oof, and returns it with the out-of-fold
// scores of the two together: each fold's rows scored by an employer model
// fitted on the other folds. The model is nil, and oof returned as it is,
// when too few rows have employer fields.
func stackEmployer(fields [][]string, oof, y []float64, folds []int, cfg TrainConfig) (*EmployerModel, []float64) {
	all := make([]int, len(y))
	for i := range all {
		all[i] = i
	}
	emp := fitEmployer(fields, oof, y, all, cfg, 0)
	if emp == nil {
		return nil, oof
	}
	out := append([]float64(nil), oof...)
	for k := range cfg.Folds {
		var tr []int
		for i := range y {
			if folds[i] != k {
				tr = append(tr, i)
			}
		}
		e := fitEmployer(fields, oof, y, tr, cfg, uint64(k+1))
		for i := range y {
			if folds[i] == k {
				out[i] += e.score(fields[i])
			}
		}
	}
	return emp, out
}

// weighIDF scales each feature of x by its inverse document frequency in x,
// log((1+n)/(1+df)) + 1, and returns the scales. Rare features (a word of
// one campaign) then move the score more per unit of weight, so the L2
// penalty bears harder on common ones, as in TF-IDF.
func weighIDF(x []vector, bits int) []float64 {
	df := make([]float64, 1<<bits)
	for _, v := range x {
		for _, i := range v.idx {
			df[i]++
		}
	}
	n := float64(len(x))
	idf := make([]float64, len(df))
	for i, d := range df {
		idf[i] = math.Log((1+n)/(1+d)) + 1
	}
	for _, v := range x {
		for k, i := range v.idx {
			v.val[k] = float32(float64(v.val[k]) * idf[i])
		}
	}
	return idf
}

// vectorizeAll turns rows into feature vectors.
func vectorizeAll(rows []Example, set FeatureSet, bits int) []vector {
	d := newDetector()
	fz := newFeaturizer(set, bits)
	x := make([]vector, len(rows))
	for i, r := range rows {
		f := fold(r.Text)
		var codes []string
		var pay float64
		if fz.fl.indicators || fz.fl.pay {
			is, fd := d.detect(r.Text, f)
			codes = modelCodes(is)
			pay = fd.payUSD
		}
		x[i] = fz.vectorize(f.s, codes, pay)
	}
	return x
}

// modelCodes are the indicator codes the model sees as features.
func modelCodes(is indicatorSet) []string {
	cs := is.codes()
	out := cs[:0]
	for _, c := range cs {
		if c != CodeReported && c != CodeModel {
			out = append(out, c)
		}
	}
	return out
}

// sgd fits L2-regularised logistic regression by stochastic gradient descent
// over the examples in idx, in an order shuffled each epoch from the seed.
// Explicit float64 conversions stop the compiler from fusing multiply-adds,
// so the result does not depend on the machine's FMA instructions.
func sgd(x []vector, y []float64, idx []int, cfg TrainConfig, salt uint64) ([]float64, float64) {
	w := make([]float64, 1<<cfg.Bits)
	var b float64
	scale := 1.0
	order := append([]int(nil), idx...)
	rng := splitmix(cfg.Seed ^ salt*0x9e3779b97f4a7c15)
	const eta0 = 0.5
	t := 0.0
	for range cfg.Epochs {
		for i := len(order) - 1; i > 0; i-- {
			j := int(rng.next() % uint64(i+1))
			order[i], order[j] = order[j], order[i]
		}
		for _, n := range order {
			eta := eta0 / (1 + float64(eta0*cfg.Lambda)*t)
			t++
			v := x[n]
			z := b
			for k, i := range v.idx {
				z += float64(float64(w[i]*scale) * float64(v.val[k]))
			}
			g := sigmoid(z) - y[n]
			scale *= 1 - float64(eta*cfg.Lambda)
			step := float64(eta*g) / scale
			for k, i := range v.idx {
				w[i] -= float64(step * float64(v.val[k]))
			}
			b -= float64(eta * g)
			if scale < 1e-6 {
				for i := range w {
					w[i] *= scale
				}
				scale = 1
			}
		}
	}
	for i := range w {
		w[i] *= scale
	}
	return w, b
}

// dot returns the raw score of v under weights w and bias b, rounding the
// weights to float32 as the saved model does.
func dot(w []float64, b float64, v vector) float64 {
	z := b
	for k, i := range v.idx {
		z += float64(float32(w[i]) * v.val[k])
	}
	return z
}

// splitmix is the SplitMix64 generator: small, fast and fixed, so training
// does not depend on the standard library's random streams.
type splitmixState struct{ s uint64 }

func splitmix(seed uint64) *splitmixState { return &splitmixState{s: seed} }

func (r *splitmixState) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix64(r.s)
}

// platt fits A and B so that sigmoid(A*z+B) is calibrated on scores z with
// labels y, by Newton's method with Platt's smoothed targets (the robust
// version of Lin, Lin and Weng 2007).
func platt(z, y []float64) (float64, float64) {
	var np, nn float64
	for _, v := range y {
		if v == 1 {
			np++
		} else {
			nn++
		}
	}
	hi, lo := (np+1)/(np+2), 1/(nn+2)
	t := make([]float64, len(y))
	for i, v := range y {
		if v == 1 {
			t[i] = hi
		} else {
			t[i] = lo
		}
	}
	a, b := 0.0, math.Log((nn+1)/(np+1))
	const sigma = 1e-12
	fval := func(a, b float64) float64 {
		var f float64
		for i, zi := range z {
			fApB := float64(zi*a) + b
			if fApB >= 0 {
				f += float64(t[i]*fApB) + math.Log1p(math.Exp(-fApB))
			} else {
				f += float64((t[i]-1)*fApB) + math.Log1p(math.Exp(fApB))
			}
		}
		return f
	}
	f := fval(a, b)
	for range 100 {
		var h11, h22, h21, g1, g2 float64 = sigma, sigma, 0, 0, 0
		for i, zi := range z {
			fApB := float64(zi*a) + b
			var p, q float64
			if fApB >= 0 {
				p = math.Exp(-fApB) / (1 + math.Exp(-fApB))
				q = 1 / (1 + math.Exp(-fApB))
			} else {
				p = 1 / (1 + math.Exp(fApB))
				q = math.Exp(fApB) / (1 + math.Exp(fApB))
			}
			d2 := float64(p * q)
			h11 += float64(float64(zi*zi) * d2)
			h22 += d2
			h21 += float64(zi * d2)
			d1 := t[i] - p
			g1 += float64(zi * d1)
			g2 += d1
		}
		if math.Abs(g1) < 1e-5 && math.Abs(g2) < 1e-5 {
			break
		}
		det := float64(h11*h22) - float64(h21*h21)
		da := -(float64(h22*g1) - float64(h21*g2)) / det
		db := -(float64(-h21*g1) + float64(h11*g2)) / det
		gd := float64(g1*da) + float64(g2*db)
		step := 1.0
		for step >= 1e-10 {
			na, nb := a+float64(step*da), b+float64(step*db)
			nf := fval(na, nb)
			if nf < f+float64(1e-4*step)*gd {
				a, b, f = na, nb, nf
				break
			}
			step /= 2
		}
		if step < 1e-10 {
			break
		}
	}
	// Lin et al. fit P = 1/(1+exp(A*z+B)); the model uses sigmoid(A*z+B).
	return -a, -b
}

// threshold returns the smallest probability threshold at which at most a
// fraction fpr of the legitimate rows' probabilities negs lie at or above.
func threshold(negs []float64, fpr float64) float64 {
	if len(negs) == 0 {
		return 0.5
	}
	negs = append([]float64(nil), negs...)
	sort.Sort(sort.Reverse(sort.Float64Slice(negs)))
	k := int(math.Floor(fpr * float64(len(negs))))
	if k >= len(negs) {
		return 0
	}
	return math.Nextafter(negs[k], 1) // negs[k] and all below fall under it
}

// langsOf returns the distinct languages of rows, sorted.
func langsOf(rows []Example) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rows {
		if !seen[r.Lang] {
			seen[r.Lang] = true
			out = append(out, r.Lang)
		}
	}
	sort.Strings(out)
	return out
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// labelCounts counts the lure (label 1) and legitimate rows.
func labelCounts(rows []Example) (pos, neg int) {
	for _, r := range rows {
		if r.Label == 1 {
			pos++
		} else {
			neg++
		}
	}
	return pos, neg
}
