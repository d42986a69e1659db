// figure1a of the APG paper, GMM: dotnet fsi src/Apg.Scripts/fsx/figure1a.fsx [smoke|cpu|paper]
#load "Load.fsx"
Load.runTarget "figure1a"
