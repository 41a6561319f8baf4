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

    /// <summary>
    /// Median microseconds per call of two kernels timed in alternating rounds, so that both see the same machine load
    /// (this machine's memory bandwidth drifts by tens of percent within minutes). From memory: each kernel cycles
    /// through enough copies of its operands (<paramref name="firstBytes"/>, <paramref name="secondBytes"/> each) to
    /// exceed the caches, each call on the next copy.
    /// </summary>
    public static (double FirstUs, double SecondUs) AlternatingMedians(bool fromMemory, bool quick, double firstBytes,
        Func<Action> first, double secondBytes, Func<Action> second)
    {
        Action a = Cycle(fromMemory, firstBytes, first), b = Cycle(fromMemory, secondBytes, second);
        double roundMs = fromMemory ? 100 : 20;
        int aCalls = CallsPerRound(a, roundMs), bCalls = CallsPerRound(b, roundMs);
        int rounds = quick ? 9 : 31;
        var aUs = new double[rounds];
        var bUs = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            aUs[r] = Round(a, aCalls);
            bUs[r] = Round(b, bCalls);
        }
        Array.Sort(aUs);
        Array.Sort(bUs);
        return (aUs[rounds / 2], bUs[rounds / 2]);
    }

    /// <summary>Bytes of operands that exceed this machine's caches (32 MiB L3) for <see cref="AlternatingMedians"/>.</summary>
    private const long WorkingSetBytes = 64L << 20;

    private static Action Cycle(bool fromMemory, double bytes, Func<Action> makeCopy)
    {
        int copies = fromMemory ? (int)Math.Max(1, WorkingSetBytes / bytes) : 1;
        var calls = new Action[copies];
        for (int c = 0; c < copies; c++) calls[c] = makeCopy();
        int next = 0;
        return () => calls[next++ % copies]();
    }

    private static double Round(Action action, int calls)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) action();
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls;
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
