#!/usr/bin/env bash
# Packs ModelGen, then builds tests/PackageConsumer against the .nupkg as a user would: the generated model must load
# the PyTorch weights and match PyTorch's logits, a model with a shape mismatch must fail the build with MG0001, and
# a project-wide <ModelGenMemoryBudget> the model exceeds must fail it with MG0004.
# Prints one "PASS name" or "FAIL name" line per check.
set -uo pipefail
cd "$(dirname "$0")/.."
feed=$(mktemp -d); packages=$(mktemp -d); work=$(mktemp -d)
trap 'rm -rf "$feed" "$packages" "$work"' EXIT
cp -r tests/PackageConsumer/. "$work"
check() { if [ "$2" -eq 0 ]; then echo "PASS $1"; else echo "FAIL $1"; fi; }

dotnet pack src/ModelGen -c Release -o "$feed" -nologo -v q -clp:ErrorsOnly >/dev/null
# The local feed comes on top of the machine's configured sources (which serve ModelGen's own dependencies).
printf '<configuration><packageSources><add key="modelgen-local" value="%s" /></packageSources></configuration>\n' "$feed" >"$work/NuGet.config"
restore=(--packages "$packages")
dotnet build "$work" -c Release "${restore[@]}" -nologo -v q -clp:ErrorsOnly >"$work/build.log" 2>&1 \
  && dotnet "$work/bin/Release/net10.0/PackageConsumer.dll" data/models
check "package consumer builds and matches PyTorch" $?

dotnet build "$work" -c Release "${restore[@]}" -p:BrokenModel=true -nologo -v q >"$work/broken.log" 2>&1
built=$?
grep -q "BrokenModel.cs(9,12): error MG0001" "$work/broken.log"
check "package analyzer reports MG0001 at the attribute argument" $(( built == 0 || $? != 0 ))

dotnet build "$work" -c Release "${restore[@]}" "-p:ModelGenMemoryBudget=100 KB" -nologo -v q >"$work/budget.log" 2>&1
built=$?
grep -q "error MG0004" "$work/budget.log"
check "package build props carry the project memory budget to MG0004" $(( built == 0 || $? != 0 ))
