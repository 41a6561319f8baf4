#!/usr/bin/env bash
# What ModelGen's analyzers and generator cost a build: generates (in a temp dir) a project that uses ModelGen as
# eng/UseModelGen.props does, with 50 model classes (2-4 Dense layers, mixed precisions) and 200 call sites (Load,
# Forward, Dispose; some in loops), builds it with -p:ReportAnalyzer=true and prints the ModelGen analyzers' and the
# generator's times and their share of the compiler (Csc) time. Not part of tests/run; timings are as noisy as the
# machine. Usage: eng/analyzer-cost.sh [runs=2]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-2}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
project="$work/CostProbe"
mkdir -p "$project"

# The repo's Directory.Build.props (RepoRoot, warnings as errors) and central package versions apply through imports.
cat > "$work/Directory.Build.props" <<XML
<Project><Import Project="$repo/Directory.Build.props" /><PropertyGroup><RepoRoot>$repo/</RepoRoot></PropertyGroup></Project>
XML
cp "$repo/Directory.Packages.props" "$work/"
cat > "$project/CostProbe.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <Import Project="$repo/eng/UseModelGen.props" />
  <PropertyGroup><OutputType>Library</OutputType><IsPackable>false</IsPackable><WarningsNotAsErrors>\$(WarningsNotAsErrors);MG0007</WarningsNotAsErrors></PropertyGroup>
</Project>
XML

precisions=(Float32 Float16 BFloat16 Int8)
{
  echo "using ModelGen;"
  echo "namespace CostProbe;"
  for m in $(seq 0 49); do
    layers=$((2 + m % 3)); width=$((32 + 16 * (m % 5)))
    echo "[Model(MaxBatch = 16)]"
    echo "public sealed partial class Model$m"
    echo "{"
    for l in $(seq 0 $((layers - 1))); do
      out=$([ "$l" -eq $((layers - 1)) ] && echo 8 || echo "$width")
      in=$([ "$l" -eq 0 ] && echo 64 || echo "$width")
      echo "    [Dense($in, $out, Precision = Precision.${precisions[$(((m + l) % 4))]})]"
      echo "    public partial DenseLayer L$l { get; }"
    done
    echo "}"
  done
} > "$project/Models.cs"

{
  echo "using ModelGen;"
  echo "namespace CostProbe;"
  echo "public static class Calls"
  echo "{"
  for c in $(seq 0 199); do
    m=$((c % 50))
    echo "    public static float Site$c(string path, float[] input, float[] output)"
    echo "    {"
    if [ $((c % 4)) -eq 0 ]; then
      # Some call sites in loops (MG0007 stays a warning, not an error: the point is its cost; a suppressed rule would not run at all).
      echo "        float sum = 0;"
      echo "        for (int i = 0; i < 4; i++)"
      echo "        {"
      echo "            using var model = Model$m.Load(path);"
      echo "            var logits = new float[Model$m.OutputFeatures];"
      echo "            model.Forward(input, logits, 1);"
      echo "            sum += logits[0];"
      echo "        }"
      echo "        return sum;"
    else
      echo "        var model = Model$m.Load(path);"
      echo "        model.Forward(input, output, 1);"
      echo "        model.Dispose();"
      echo "        return output[0];"
    fi
    echo "    }"
  done
  echo "}"
} > "$project/Calls.cs"

# The ModelGen projects build once up front, so the measured builds compile only the probe.
dotnet build "$project" -c Release -nologo -v q -clp:ErrorsOnly >/dev/null
for run in $(seq 1 "$runs"); do
  rm -rf "$project/obj/Release/net10.0/CostProbe.dll" "$project/bin"
  dotnet build "$project" -c Release -nologo -v d -p:ReportAnalyzer=true -clp:PerformanceSummary --no-dependencies --no-restore > "$work/build.log"
  if [ -n "${ANALYZER_COST_LOG:-}" ]; then cp "$work/build.log" "$ANALYZER_COST_LOG.$run"; fi
  awk -v run="$run" '
    /Total analyzer execution time:/ { analyzers = $(NF-1) }
    /Total generator execution time:/ { generators = $(NF-1) }
    /Time Elapsed/ { elapsed = $NF }
    /ModelGen\.Analyzers, Version/ && $1 ~ /^[0-9.]+$/ { mga = $1 }
    /ModelGen\.Generators, Version/ && $1 ~ /^[0-9.]+$/ { mgg = $1 }
    / ms +Csc +[0-9]+ calls/ { csc = $1 }
    END {
      printf "run %d: Csc task %s ms; all analyzers %s s, ModelGen.Analyzers %s s (%.1f%% of Csc); all generators %s s, ModelGen.Generators %s s (%.1f%% of Csc)\n",
        run, csc, analyzers, mga, (csc > 0 ? 100 * mga * 1000 / csc : 0), generators, mgg, (csc > 0 ? 100 * mgg * 1000 / csc : 0)
    }' "$work/build.log"
done
