package links

// Apply is Published.apply for the benchmarks of links_test.
func (p *Published) Apply(changes map[string]*Coarse) (*Published, error) { return p.apply(changes) }

// SetRebuildSizes makes a rebuild's shards (occurrences) and link chunks
// (reports) small, so a small index crosses their edges.
func (s *Service) SetRebuildSizes(shard, chunk int) { s.shardOccurrences, s.linkChunk = shard, chunk }
