package export

import (
	"context"
	"errors"
	"io"
)

type ctdcTable struct {
	rows                            [][]string
	SuppressedRows, SuppressedCells int
}

const TableReports = "reports"

func Tables() []string { return []string{"reports", "victims", "cases", "referrals", "identifiers"} }

func (s *Service) planCTDC(ctx context.Context, e *Export) (*ctdcTable, error) {
	return nil, errors.New("todo")
}
func (e *Export) writeFtM(ctx context.Context, w io.Writer) error  { return errors.New("todo") }
func (e *Export) writeCTDC(w io.Writer) error                      { return errors.New("todo") }
func (e *Export) writeXLSX(ctx context.Context, w io.Writer) error { return errors.New("todo") }
func (e *Export) WriteTable(ctx context.Context, t string, w io.Writer) error {
	return errors.New("todo")
}
