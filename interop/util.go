package interop

import (
	"maps"
	"slices"
)

// sortedKeys returns the keys of m in order, for stable reports.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
