package export

import (
	"context"
	"errors"
	"io"
)

const TableReports = "reports"

func Tables() []string { return []string{"reports", "victims", "cases", "referrals", "identifiers"} }

func (e *Export) writeFtM(ctx context.Context, w io.Writer) error  { return errors.New("todo") }
func (e *Export) writeXLSX(ctx context.Context, w io.Writer) error { return errors.New("todo") }
func (e *Export) WriteTable(ctx context.Context, t string, w io.Writer) error {
	return errors.New("todo")
}
