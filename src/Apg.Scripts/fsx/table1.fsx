// table1 of the APG paper, GMM: dotnet fsi src/Apg.Scripts/fsx/table1.fsx [smoke|cpu|paper]
#load "Load.fsx"
Load.runTarget "table1"
