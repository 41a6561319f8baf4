using System.Diagnostics;

namespace ModelGen.Bench;

/// <summary>Wall-clock timing: warm-up, then the median of several rounds of back-to-back calls.</summary>
public static class Timing
{
    /// <summary>Median microseconds per call of <paramref name="action"/>.</summary>
    public static double MedianMicroseconds(Action action, bool quick, double roundMilliseconds = 40)
    {
        int rounds = quick ? 7 : 21;
        int calls = CallsPerRound(action, roundMilliseconds);
        var samples = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++)
            {
                action();
            }

            samples[r] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls;
        }

        Array.Sort(samples);
        return samples[rounds / 2];
    }

    // Warms up for a second (long enough for the JIT to finish tiering up every peer's code; 200 ms was not, measured)
    // and sizes a round to about roundMilliseconds.
    private static int CallsPerRound(Action action, double roundMilliseconds)
    {
        long warmEnd = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        int calls = 0;
        long start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetTimestamp() < warmEnd || calls < 3)
        {
            action();
            calls++;
        }

        double perCall = Stopwatch.GetElapsedTime(start).TotalMilliseconds / calls;
        return Math.Max(1, (int)(roundMilliseconds / perCall));
    }
}
