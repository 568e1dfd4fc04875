package links

import "context"

// Apply is Published.apply for the benchmarks of links_test.
func (p *Published) Apply(changes map[string]*Coarse) (*Published, error) { return p.apply(changes) }

// SetRebuildSizes makes a rebuild's shards (occurrences) and link chunks
// (reports) small, so a small index crosses their edges.
func (s *Service) SetRebuildSizes(shard, chunk int) { s.shardOccurrences, s.linkChunk = shard, chunk }

// CheckDatabase is Check reading the database even when the published
// range is current: what the range's answers are compared with.
func (s *Service) CheckDatabase(ctx context.Context, query, region string) (*CheckAnswer, error) {
	return s.check(ctx, query, region, false)
}

// SetAfterRead makes fn run when a rebuild has read every report, before
// it writes.
func (s *Service) SetAfterRead(fn func()) { s.afterRead = fn }
