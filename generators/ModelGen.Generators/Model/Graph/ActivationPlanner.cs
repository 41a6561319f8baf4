using System;
using System.Collections.Generic;

namespace ModelGen.Generators.Model.Graph;

/// <summary>A tensor of the activation plan: per-sample bytes and the steps it is alive in (inclusive).</summary>
internal readonly record struct TensorLifetime(int Id, long BytesPerSample, int FirstStep, int LastStep, int InPlaceOf = -1);

/// <summary>Where a tensor sits in the batch region, per sample.</summary>
internal sealed record TensorPlacement(int Id, long Offset, long Bytes);

/// <summary>The planned batch region, per sample.</summary>
internal sealed record ActivationLayout(EquatableArray<TensorPlacement> Placements, long PeakBytes, long NaiveBytes, long LowerBoundBytes);

/// <summary>PLACEHOLDER until the real planner lands: every tensor gets its own 64-aligned region.</summary>
internal static class ActivationPlanner
{
    public static ActivationLayout Plan(IReadOnlyList<TensorLifetime> tensors)
    {
        var placements = new TensorPlacement[tensors.Count];
        long cursor = 0;
        int lastStep = -1;
        for (var i = 0; i < tensors.Count; i++)
        {
            var bytes = Align(tensors[i].BytesPerSample);
            placements[i] = new TensorPlacement(tensors[i].Id, cursor, tensors[i].BytesPerSample);
            cursor += bytes;
            lastStep = Math.Max(lastStep, tensors[i].LastStep);
        }

        long lowerBound = 0;
        for (var step = 0; step <= lastStep; step++)
        {
            long live = 0;
            foreach (var tensor in tensors)
            {
                if (tensor.FirstStep <= step && step <= tensor.LastStep)
                {
                    live += Align(tensor.BytesPerSample);
                }
            }

            lowerBound = Math.Max(lowerBound, live);
        }

        return new ActivationLayout(new EquatableArray<TensorPlacement>(placements), cursor, cursor, lowerBound);
    }

    private static long Align(long bytes) => (bytes + 63) / 64 * 64;
}
