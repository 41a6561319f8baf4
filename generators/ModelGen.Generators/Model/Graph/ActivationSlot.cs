using System;
using System.Collections.Generic;

namespace ModelGen.Generators.Model.Graph;

/// <summary>
/// A piece of the activation block placed as one: a single tensor, or an in-place chain (an element-wise op writing
/// over its input) merged into the union of its lifetimes at the largest of its sizes.
/// </summary>
/// <param name="Bytes">Aligned bytes per sample.</param>
/// <param name="FirstStep">First step any member is live.</param>
/// <param name="LastStep">Last step any member is live, inclusive.</param>
internal readonly record struct ActivationSlot(long Bytes, int FirstStep, int LastStep)
{
    /// <summary>Whether the two slots are live at a common step (a step reads its inputs while writing its output).</summary>
    public bool Conflicts(ActivationSlot other) => FirstStep <= other.LastStep && other.FirstStep <= LastStep;

    /// <summary>
    /// Merges <paramref name="tensors"/> into slots, in order of each slot's first member; <paramref name="slotOf"/>
    /// gives each tensor's slot. An in-place claim counts when the claimed tensor exists, is not the claimer, is not
    /// already claimed by an earlier tensor and is last read at the step the claimer is written; others are ignored.
    /// </summary>
    public static ActivationSlot[] Merge(IReadOnlyList<TensorLifetime> tensors, out int[] slotOf)
    {
        var count = tensors.Count;
        var indexOfId = new Dictionary<int, int>(count);
        for (var i = 0; i < count; i++)
        {
            if (!indexOfId.ContainsKey(tensors[i].Id))
            {
                indexOfId.Add(tensors[i].Id, i);
            }
        }

        var parent = new int[count];
        var claimed = new bool[count];
        for (var i = 0; i < count; i++)
        {
            parent[i] = i;
        }

        for (var i = 0; i < count; i++)
        {
            var claimer = tensors[i];
            if (claimer.InPlaceOf != -1
                && indexOfId.TryGetValue(claimer.InPlaceOf, out var input)
                && input != i
                && !claimed[input]
                && LiveUntil(tensors[input]) == claimer.FirstStep)
            {
                claimed[input] = true;
                parent[Root(parent, i)] = Root(parent, input);
            }
        }

        slotOf = new int[count];
        var slotOfRoot = new int[count];
        var slots = new List<ActivationSlot>();
        for (var i = 0; i < count; i++)
        {
            var root = Root(parent, i);
            var tensor = tensors[i];
            var bytes = ModelPlanner.Align(Math.Max(tensor.BytesPerSample, 0));

            // Slot numbers are stored plus one, so zero marks a chain without a slot yet.
            var s = slotOfRoot[root] - 1;
            if (s < 0)
            {
                slots.Add(new ActivationSlot(bytes, tensor.FirstStep, LiveUntil(tensor)));
                slotOfRoot[root] = slots.Count;
                slotOf[i] = slots.Count - 1;
                continue;
            }

            var slot = slots[s];
            slots[s] = new ActivationSlot(
                Math.Max(slot.Bytes, bytes),
                Math.Min(slot.FirstStep, tensor.FirstStep),
                Math.Max(slot.LastStep, LiveUntil(tensor)));
            slotOf[i] = s;
        }

        return slots.ToArray();
    }

    /// <summary>The tensor's last live step, never before its first.</summary>
    public static int LiveUntil(TensorLifetime tensor) => Math.Max(tensor.FirstStep, tensor.LastStep);

    private static int Root(int[] parent, int i)
    {
        while (parent[i] != i)
        {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }

        return i;
    }
}
