//go:build !linux

package intake

import "errors"

// freeSpace is not measured on this system: the watermark refuses nothing.
func freeSpace(dir string) (int64, error) {
	return 0, errors.New("intake: free space is measured on Linux only")
}
