// figure3 of the APG paper, GMM: dotnet fsi src/Apg.Scripts/fsx/figure3.fsx [smoke|cpu|paper]
#load "Load.fsx"
Load.runTarget "figure3"
