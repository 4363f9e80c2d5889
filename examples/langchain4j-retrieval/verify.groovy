// Run by the Embedstore build (maven-invoker-plugin) after `mvn verify` of this example: the first run
// must embed every segment and the second none, both finding the tomato advice first.
def log = new File(basedir, 'build.log').text
def runs = (log =~ /indexed (\d+) segments from (\d+) files: (\d+) embedded, (\d+) from the cache/).collect { it }
assert runs.size() == 2 : "expected two runs of the example in build.log"
def (first, second) = runs
assert first[2] == '3' : "three files: ${first[0]}"
assert first[3].toInteger() > 0 && first[3] == first[1] && first[4] == '0' : "the first run embeds: ${first[0]}"
assert second[3] == '0' && second[4] == second[1] : "the second run embeds nothing: ${second[0]}"
def answers = (log =~ /(?m)^\d\.\d{3}  (\S+): /).collect { it[1] }
assert answers.size() == 6 && answers[0] == 'tomatoes.txt' && answers[3] == 'tomatoes.txt' : "answers: ${answers}"
return true
