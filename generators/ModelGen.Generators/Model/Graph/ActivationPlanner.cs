using System;
using System.Collections.Generic;

namespace ModelGen.Generators.Model.Graph;

/// <summary>
/// Plans a graph model's activation block for one sample: gives every tensor a 64-aligned offset so that tensors live
/// at a common step never overlap, keeping the peak close to the lower bound (the largest sum live at one step). The
/// runtime scales the offsets by the batch, which keeps the plan free of overlaps (see <c>GraphLayer</c>).
/// </summary>
/// <remarks>
/// Offset assignment is NP-hard in general; this runs a few greedy placements and keeps the lowest peak (the first on
/// a tie), so the result is deterministic. Each placement is O(n^2) in the number of tensors.
/// <list type="bullet">
/// <item>TFLite's "greedy by size": largest first, each into the smallest gap among the tensors it conflicts with.</item>
/// <item>"Greedy by breadth": the same fit, taking first the tensors of the step with the largest live sum.</item>
/// <item>Two-ended, in step order, under the lower bound as a ceiling: each tensor goes against the bottom or the top of
/// a gap, next to whatever lives longest, so the space of the short-lived neighbours frees up in one piece (optimal on
/// chains: the tensors alternate between the bottom and the top).</item>
/// </list>
/// </remarks>
internal static class ActivationPlanner
{
    // Scores the block's floor and ceiling as neighbours that never die.
    private const int Forever = int.MaxValue;

    /// <summary>Plans <paramref name="tensors"/>; an empty list gives an empty plan of zeros. Never throws.</summary>
    public static ActivationLayout Plan(IReadOnlyList<TensorLifetime> tensors)
    {
        var slots = ActivationSlot.Merge(tensors, out var slotOf);
        var lowerBound = LowerBound(slots);

        var offsets = PlaceBestFit(slots, BySize(slots), out var peak);
        Keep(PlaceBestFit(slots, ByBreadth(slots), out var breadthPeak), breadthPeak, ref offsets, ref peak);
        Keep(PlaceTwoEnded(slots, ByFirstStep(slots), lowerBound, out var twoEndedPeak), twoEndedPeak, ref offsets, ref peak);

        var placements = new TensorPlacement[tensors.Count];
        long naive = 0;
        for (var i = 0; i < placements.Length; i++)
        {
            var slot = slotOf[i];
            placements[i] = new TensorPlacement(tensors[i].Id, offsets[slot], slots[slot].Bytes);
            naive += ModelPlanner.Align(Math.Max(tensors[i].BytesPerSample, 0));
        }

        return new ActivationLayout(new EquatableArray<TensorPlacement>(placements), peak, naive, lowerBound);
    }

    /// <summary>The largest sum of slot sizes live at one step.</summary>
    public static long LowerBound(IReadOnlyList<ActivationSlot> slots)
    {
        // A slot adds its size at its first step and removes it after its last; the sum peaks at some first step.
        var events = new List<KeyValuePair<long, long>>(2 * slots.Count);
        foreach (var slot in slots)
        {
            events.Add(new KeyValuePair<long, long>(slot.FirstStep, slot.Bytes));
            events.Add(new KeyValuePair<long, long>((long)slot.LastStep + 1, -slot.Bytes));
        }

        events.Sort((a, b) => a.Key.CompareTo(b.Key));
        long live = 0, max = 0;
        for (var i = 0; i < events.Count; i++)
        {
            live += events[i].Value;
            if (i + 1 == events.Count || events[i + 1].Key != events[i].Key)
            {
                max = Math.Max(max, live);
            }
        }

        return max;
    }

    private static void Keep(long[] candidate, long candidatePeak, ref long[] offsets, ref long peak)
    {
        if (candidatePeak < peak)
        {
            offsets = candidate;
            peak = candidatePeak;
        }
    }

    // Largest first; ties by first step, then by position, so the order is total.
    private static int[] BySize(ActivationSlot[] slots)
    {
        var order = Indices(slots.Length);
        Array.Sort(order, (a, b) => CompareBySize(slots, a, b));
        return order;
    }

    private static int CompareBySize(ActivationSlot[] slots, int a, int b)
    {
        var c = slots[b].Bytes.CompareTo(slots[a].Bytes);
        if (c == 0)
        {
            c = slots[a].FirstStep.CompareTo(slots[b].FirstStep);
        }

        return c != 0 ? c : a.CompareTo(b);
    }

    // Earliest first; ties largest first, then by position.
    private static int[] ByFirstStep(ActivationSlot[] slots)
    {
        var order = Indices(slots.Length);
        Array.Sort(order, (a, b) =>
        {
            var c = slots[a].FirstStep.CompareTo(slots[b].FirstStep);
            return c != 0 ? c : CompareBySize(slots, a, b);
        });
        return order;
    }

    // Steps by live sum, largest first (ties: earlier step); each step contributes its not yet ordered slots, largest
    // first. Every slot is live at its first step, so visiting the first steps orders them all.
    private static int[] ByBreadth(ActivationSlot[] slots)
    {
        var steps = new List<KeyValuePair<int, long>>();
        var seen = new HashSet<int>();
        foreach (var slot in slots)
        {
            if (!seen.Add(slot.FirstStep))
            {
                continue;
            }

            long breadth = 0;
            foreach (var other in slots)
            {
                if (other.FirstStep <= slot.FirstStep && slot.FirstStep <= other.LastStep)
                {
                    breadth += other.Bytes;
                }
            }

            steps.Add(new KeyValuePair<int, long>(slot.FirstStep, breadth));
        }

        steps.Sort((a, b) =>
        {
            var c = b.Value.CompareTo(a.Value);
            return c != 0 ? c : a.Key.CompareTo(b.Key);
        });

        var bySize = BySize(slots);
        var order = new List<int>(slots.Length);
        var ordered = new bool[slots.Length];
        foreach (var step in steps)
        {
            foreach (var s in bySize)
            {
                if (!ordered[s] && slots[s].FirstStep <= step.Key && step.Key <= slots[s].LastStep)
                {
                    ordered[s] = true;
                    order.Add(s);
                }
            }
        }

        return order.ToArray();
    }

    // TFLite's fit: among the gaps between the placed slots that conflict, the smallest that holds the slot; else
    // right after the highest of them.
    private static long[] PlaceBestFit(ActivationSlot[] slots, int[] order, out long peak)
    {
        var offsets = new long[slots.Length];
        var placed = new List<int>(slots.Length);
        peak = 0;
        foreach (var s in order)
        {
            var slot = slots[s];
            long offset = 0;
            if (slot.Bytes > 0)
            {
                long end = 0, bestGap = long.MaxValue;
                offset = -1;
                foreach (var p in placed)
                {
                    if (!slot.Conflicts(slots[p]))
                    {
                        continue;
                    }

                    var gap = offsets[p] - end;
                    if (gap >= slot.Bytes && gap < bestGap)
                    {
                        bestGap = gap;
                        offset = end;
                    }

                    end = Math.Max(end, offsets[p] + slots[p].Bytes);
                }

                offset = offset < 0 ? end : offset;
            }

            Insert(placed, offsets, s, offset);
            peak = Math.Max(peak, offset + slot.Bytes);
        }

        return offsets;
    }

    // Fits each slot under a ceiling (the lower bound, or the peak once above it) against the bottom or the top of a
    // gap, preferring the side whose neighbour lives longest (the floor and the ceiling live forever), then the smaller
    // gap, then the lower offset. A slot that fits nowhere goes right after the highest slot it conflicts with.
    private static long[] PlaceTwoEnded(ActivationSlot[] slots, int[] order, long lowerBound, out long peak)
    {
        var offsets = new long[slots.Length];
        var placed = new List<int>(slots.Length);
        peak = 0;
        foreach (var s in order)
        {
            var slot = slots[s];
            long offset = 0;
            if (slot.Bytes > 0)
            {
                var ceiling = Math.Max(lowerBound, peak);
                var best = new Fit(-1, -1, long.MaxValue);
                long end = 0;
                var below = Forever;
                foreach (var p in placed)
                {
                    if (!slot.Conflicts(slots[p]))
                    {
                        continue;
                    }

                    best = Better(best, slot.Bytes, end, Math.Min(offsets[p], ceiling), below, slots[p].LastStep);
                    var pEnd = offsets[p] + slots[p].Bytes;
                    if (pEnd > end)
                    {
                        end = pEnd;
                        below = slots[p].LastStep;
                    }
                    else if (pEnd == end)
                    {
                        below = Math.Max(below, slots[p].LastStep);
                    }
                }

                best = Better(best, slot.Bytes, end, ceiling, below, Forever);
                offset = best.Offset < 0 ? end : best.Offset;
            }

            Insert(placed, offsets, s, offset);
            peak = Math.Max(peak, offset + slot.Bytes);
        }

        return offsets;
    }

    // The better of `best` and the two ends of the gap [start, end) for a slot of `bytes`.
    private static Fit Better(Fit best, long bytes, long start, long end, int belowLastStep, int aboveLastStep)
    {
        var gap = end - start;
        if (gap < bytes)
        {
            return best;
        }

        var bottom = new Fit(start, belowLastStep, gap);
        var top = new Fit(end - bytes, aboveLastStep, gap);
        best = bottom.IsBetterThan(best) ? bottom : best;
        return top.IsBetterThan(best) ? top : best;
    }

    // Keeps `placed` sorted by offset (ties by slot), so a walk meets the gaps from the bottom up.
    private static void Insert(List<int> placed, long[] offsets, int slot, long offset)
    {
        offsets[slot] = offset;
        var at = placed.Count;
        while (at > 0 && (offsets[placed[at - 1]] > offset || (offsets[placed[at - 1]] == offset && placed[at - 1] > slot)))
        {
            at--;
        }

        placed.Insert(at, slot);
    }

    private static int[] Indices(int count)
    {
        var indices = new int[count];
        for (var i = 0; i < count; i++)
        {
            indices[i] = i;
        }

        return indices;
    }

    // A candidate offset: the last step of the neighbour it touches (higher is better), then the size of the gap it
    // sits in (smaller is better), then the offset (lower is better). Offset -1 is no candidate.
    private readonly record struct Fit(long Offset, int NeighbourLastStep, long Gap)
    {
        public bool IsBetterThan(Fit other) =>
            other.Offset < 0
            || NeighbourLastStep > other.NeighbourLastStep
            || (NeighbourLastStep == other.NeighbourLastStep && (Gap < other.Gap || (Gap == other.Gap && Offset < other.Offset)));
    }
}
