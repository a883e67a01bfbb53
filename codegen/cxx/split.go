package cxx

import (
	"sort"
	"strings"
)

// A large kernel compiles as two translation units at once
// (driver.CompileParts): the main part holds the constants, the kernel
// (tg_run and the entry) and some node functions; the other part the rest
// of the node functions, with hidden visibility so that the main part
// calls them inside the module and nothing else sees them. Each part
// repeats the helpers its functions use. The parts are balanced by the
// size of their source, a fair proxy of the compiler's time on code of
// one style: the glue (node functions and the kernel, compiled at -O1,
// generate.go's glueOptimize) counts a quarter of its size, the helpers
// (loops at -O2) their whole size.

// nodeFunc is one node's C++ function: its text (TG_LINKAGE where its
// linkage goes), its signature and the helpers it uses.
type nodeFunc struct {
	text    string
	sig     string
	helpers []string
}

// glueShare: glue code counts 1/glueShare of its size.
const glueShare = 4

// hidden is the linkage of a function one part defines for the other.
const hidden = `__attribute__((visibility("hidden")))`

// splitMin is the size of source (bytes of node functions and kernel body)
// from which a kernel is split: a part costs a compiler start, the
// precompiled header's load and a link, about 0.1 s of CPU with g++ 12,
// which a small kernel does not win back.
const splitMin = 12 << 10

// split assigns the node functions to two parts: it returns the indexes of
// those in the main part and in the other (empty when the kernel is not
// worth splitting). Largest first, each to the part where it adds least.
func (g *gen) split() (main, other []int) {
	body := 0
	for _, l := range g.body {
		body += len(l) + 1
	}
	body /= glueShare
	total := body
	for _, f := range g.funcs {
		total += len(f.text) / glueShare
	}
	for _, h := range g.u.order {
		total += len(g.u.helperNames[h])
	}
	if total < splitMin {
		for i := range g.funcs {
			main = append(main, i)
		}
		return main, nil
	}
	order := make([]int, len(g.funcs))
	for i := range order {
		order[i] = i
	}
	size := func(f int) int {
		n := len(g.funcs[f].text) / glueShare
		for _, h := range g.funcs[f].helpers {
			n += len(g.u.helperNames[h])
		}
		return n
	}
	sort.SliceStable(order, func(a, b int) bool { return size(order[a]) > size(order[b]) })
	weight := [2]int{body, 0}
	has := [2]map[string]bool{{}, {}}
	part := make([]int, len(g.funcs))
	for _, f := range order {
		cost := [2]int{}
		for p := range cost {
			cost[p] = weight[p] + len(g.funcs[f].text)/glueShare
			seen := map[string]bool{}
			for _, h := range g.funcs[f].helpers {
				if !has[p][h] && !seen[h] {
					seen[h] = true
					cost[p] += len(g.u.helperNames[h])
				}
			}
		}
		p := 0
		if cost[1] < cost[0] && !callsRegion(g.funcs[f]) {
			p = 1
		}
		part[f] = p
		weight[p] = cost[p]
		for _, h := range g.funcs[f].helpers {
			has[p][h] = true
		}
	}
	for i, p := range part {
		if p == 0 {
			main = append(main, i)
		} else {
			other = append(other, i)
		}
	}
	return main, other
}

// regionDeclPrefix names the helper that declares a region function for a
// node function calling it (lower_scan.go).
const regionDeclPrefix = "tg_region_decl_"

// callsRegion reports whether node function f calls a region function: it
// stays in the main part, where the (static) region functions are.
func callsRegion(f nodeFunc) bool {
	for _, h := range f.helpers {
		if strings.HasPrefix(h, regionDeclPrefix) {
			return true
		}
	}
	return false
}
