using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// Scalar activation functions, applied once per output element by every kernel path (O(batch * n), negligible next
/// to the O(batch * n * k) dot products), so all paths agree exactly on this step. NaN inputs give NaN outputs.
/// </summary>
internal static class ActivationFunctions
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Apply(float value, Activation activation) => activation switch
    {
        // Written as comparisons that are false for NaN, so NaN propagates.
        Activation.Relu => value < 0f ? 0f : value,
        Activation.Relu6 => value < 0f ? 0f : value > 6f ? 6f : value,
        Activation.Sigmoid => Sigmoid(value),
        Activation.Tanh => MathF.Tanh(value),
        Activation.Gelu => Gelu(value),
        _ => value,
    };

    /// <summary>
    /// <see cref="Apply(float, Activation)"/> for <see cref="Activation.None"/>, <see cref="Activation.Relu"/> and
    /// <see cref="Activation.Relu6"/> on 8 lanes: the same comparisons, so results are bit-equal.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Apply(Vector256<float> value, Activation activation)
    {
        Debug.Assert(activation is Activation.None or Activation.Relu or Activation.Relu6);
        if (activation == Activation.None)
            return value;
        if (activation == Activation.Relu6)
        {
            Vector256<float> six = Vector256.Create(6f);
            value = Vector256.ConditionalSelect(Vector256.GreaterThan(value, six), six, value);
        }
        return Vector256.ConditionalSelect(Vector256.LessThan(value, Vector256<float>.Zero), Vector256<float>.Zero, value);
    }

    /// <summary>The 4-lane <see cref="Apply(Vector256{float}, Activation)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Apply(Vector128<float> value, Activation activation)
    {
        Debug.Assert(activation is Activation.None or Activation.Relu or Activation.Relu6);
        if (activation == Activation.None)
            return value;
        if (activation == Activation.Relu6)
        {
            Vector128<float> six = Vector128.Create(6f);
            value = Vector128.ConditionalSelect(Vector128.GreaterThan(value, six), six, value);
        }
        return Vector128.ConditionalSelect(Vector128.LessThan(value, Vector128<float>.Zero), Vector128<float>.Zero, value);
    }

    public static float Sigmoid(float value) => 1f / (1f + MathF.Exp(-value));

    /// <summary>Exact GELU, x * Phi(x) = 0.5 x erfc(-x / sqrt 2), with relative error ~1e-10 before rounding to fp32.</summary>
    public static float Gelu(float value)
    {
        double x = value;
        double u = x * 0.70710678118654752; // x / sqrt(2)
        // 1 + erf(u) = 2 - erfc(u) for u >= 0 and erfc(-u) for u < 0: the latter keeps full relative accuracy in the
        // negative tail, where 1 + erf(u) would cancel.
        double cdf2 = u >= 0 ? 2 - Erfc(u) : Erfc(-u);
        return (float)(0.5 * x * cdf2);
    }

    /// <summary>erf(x) to ~1e-10 relative accuracy of erfc, computed in double.</summary>
    public static double Erf(double x) => x >= 0 ? 1 - Erfc(x) : Erfc(-x) - 1;

    /// <summary>
    /// erfc(z) for z >= 0 (NaN for NaN) as t exp(Q(s) - z^2), t = 1 / (1 + z / 2), s = 2.4 t - 1.4: the form of
    /// Numerical Recipes' erfcc, which keeps relative accuracy in the tail. Q is a degree-13 polynomial in s, fitted
    /// for this library (Chebyshev interpolation of the exact Q at 40 nodes on z in [0, 10], i.e. s in [-1, 1],
    /// truncated, converted to powers of s); measured max relative error of erfc 1.2e-10. Beyond z = 10,
    /// erfc(z) &lt; 2.1e-45 is below the smallest fp32 subnormal: 0.
    /// </summary>
    public static double Erfc(double z)
    {
        if (z > 10) return 0;
        double t = 1 / (1 + 0.5 * z);
        double s = 2.4 * t - 1.4;
        double s2 = s * s, s4 = s2 * s2, s8 = s4 * s4;
        ReadOnlySpan<double> c = ErfcPolynomial;
        // Estrin's scheme: a dependency chain of 4 multiply-adds instead of Horner's 13.
        double q0 = c[0] + c[1] * s + (c[2] + c[3] * s) * s2;
        double q1 = c[4] + c[5] * s + (c[6] + c[7] * s) * s2;
        double q2 = c[8] + c[9] * s + (c[10] + c[11] * s) * s2;
        double q3 = c[12] + c[13] * s;
        double q = q0 + q1 * s4 + (q2 + q3 * s4) * s8;
        return t * Math.Exp(q - z * z);
    }

    private static ReadOnlySpan<double> ErfcPolynomial =>
    [
        -0.558595351234947, 0.5703071524041959, 0.015744894577676104, -0.029471315399462135,
        -0.001043457733724574, 0.0037128724872773455, -0.0002848959901431985, -0.0005463334218157303,
        0.0001470996763414869, 6.623240912722209e-05, -3.8172624787445304e-05, -3.4364418618003635e-06,
        5.105618368639464e-06, -3.9424557685258776e-07,
    ];
}
