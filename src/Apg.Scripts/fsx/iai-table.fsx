// iai-table (iterative amortized inference, Marino et al. 2018): dotnet fsi src/Apg.Scripts/fsx/iai-table.fsx [smoke|cpu|paper]
#load "Load.fsx"
Load.runTarget "iai-table"
