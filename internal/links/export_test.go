package links

// Apply is Published.apply for the benchmarks of links_test.
func (p *Published) Apply(changes map[string]*Coarse) (*Published, error) { return p.apply(changes) }
