namespace ModelGen.Tests.Kernels;

/// <summary>Double-precision references, independent of the library's implementations.</summary>
internal static class ReferenceMath
{
    /// <summary>erf by its Maclaurin series (|x| &lt; 1.5) or the continued fraction of erfc (|x| &gt;= 1.5), ~1e-15.</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        double z = Math.Abs(x);
        double value;
        if (z < 1.5)
        {
            // erf z = 2/sqrt(pi) sum_n (-1)^n z^(2n+1) / (n! (2n+1))
            double term = z, sum = z;
            for (int n = 1; n < 200 && Math.Abs(term) > 1e-17 * Math.Abs(sum); n++)
            {
                term *= -z * z / n;
                sum += term / (2 * n + 1);
            }
            value = 2 / Math.Sqrt(Math.PI) * sum;
        }
        else
        {
            value = 1 - Erfc(z);
        }
        return x < 0 ? -value : value;
    }

    /// <summary>
    /// erfc; for z &gt;= 1.5 (where 120 terms converge to ~3e-16) the continued fraction
    /// e^(-z^2)/sqrt(pi) / (z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + ...))))).
    /// </summary>
    public static double Erfc(double z)
    {
        if (z < 1.5) return 1 - Erf(z);
        double f = z;
        for (int n = 120; n >= 1; n--)
            f = z + n / 2.0 / f;
        return Math.Exp(-z * z) / Math.Sqrt(Math.PI) / f;
    }

    public static double Activate(double v, Activation activation) => activation switch
    {
        Activation.Relu => Math.Max(v, 0),
        Activation.Relu6 => Math.Min(Math.Max(v, 0), 6),
        Activation.Sigmoid => 1 / (1 + Math.Exp(-v)),
        Activation.Tanh => Math.Tanh(v),
        // x * Phi(x), with Phi from erfc in the left tail so it keeps relative accuracy there.
        Activation.Gelu => v >= 0 ? v * (1 + Erf(v / Math.Sqrt(2))) / 2 : v * Erfc(-v / Math.Sqrt(2)) / 2,
        _ => v,
    };
}
