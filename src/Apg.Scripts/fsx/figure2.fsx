// figure2 of the APG paper, GMM: dotnet fsi src/Apg.Scripts/fsx/figure2.fsx [smoke|cpu|paper]
#load "Load.fsx"
Load.runTarget "figure2"
