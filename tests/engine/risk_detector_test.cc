// RiskDetector against the shipped data/engine/risk.json: messages that must
// raise each safety signal (en, es, fr, Quebec colloquial French, typos and
// slang), look-alikes that must not, guards, and Parse() errors. The tables
// are independent of tests/engine/eval/ (never read while writing these).
//
// No timing assertion here (this runs under ASan in CI); the Assess time is
// measured in a RelWithDebInfo build and reported with the change.

#include "daemon/engine/risk_detector.h"
#include "tests/engine/shipped_risk.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace helpline::engine {
namespace {

const RiskDetector& Shipped() { return ShippedRiskDetector(); }

RiskAssessment Assess(std::string_view message) { return Shipped().Assess(message, Tokenize(message)); }

std::string Describe(std::string_view message, const RiskAssessment& a) {
  std::ostringstream os;
  os << "\"" << message << "\" -> overdose=" << a.overdose << " suicide=" << a.suicide << " distress=" << a.distress
     << " lang=" << a.lang << " rule=" << a.rule << " guard=" << a.guard;
  return os.str();
}

// A message and the classes it must (and must not) raise.
struct SignCase {
  std::string_view message;
  bool overdose;
  bool suicide;
};

template <std::size_t N>
void ExpectSigns(const SignCase (&cases)[N]) {
  for (const SignCase& c : cases) {
    const RiskAssessment a = Assess(c.message);
    EXPECT_EQ(a.overdose, c.overdose) << Describe(c.message, a);
    EXPECT_EQ(a.suicide, c.suicide) << Describe(c.message, a);
  }
}

// 116 messages.
constexpr std::string_view kOverdoseEnglish[] = {
    "my bf wont wake up his lips are blue",
    "he's not breathing",
    "she isnt breathing please help",
    "my friend is barely breathing",
    "he aint breathin rn",
    "hes breathing weird and making snoring sounds",
    "his breathing is really slow and shallow",
    "she's snoring weird and i cant wake her",
    "he's making gurgling noises",
    "lips r turning purple",
    "his fingertips are blue",
    "her face is going grey",
    "he is turning blue",
    "cant wake him up",
    "I can't get her to wake up",
    "my roommate won't wake up, took something",
    "my son is unresponsive",
    "he's unresponsve what do i do",
    "passed out and not responding",
    "he passed out and isnt responding to anything",
    "she went limp",
    "his eyes rolled back",
    "pupils are pinpoint and he's nodding out, cant be woken",
    "he keeps nodding out and won't wake up",
    "my friend is ODing",
    "I think shes OD'ing",
    "he od'd now",
    "he just od'd",
    "my brother is overdosing",
    "i think im overdosing",
    "i took too much",
    "I took too many pills",
    "she swallowed a whole bottle of tylenol",
    "he did way too much fent",
    "took like 10 xanax",
    "he smoked fent and now he's acting weird",
    "i think there was fent in it, he's not ok",
    "bad batch, my friend is out of it",
    "he's seizing after using",
    "he's foaming at the mouth",
    "gave him narcan and he's still not breathing",
    "narcan isnt working",
    "I gave her 2 doses of narcan",
    "we need narcan now",
    "he's having a seizure",
    "his heart stopped",
    "i cant find a pulse",
    "he's cold to the touch",
    "i think hes dead",
    "my friend overdosed",
    "my bf is breathign weird",
    "he stopped breathing",
    "he's having trouble breathing after taking pills",
    "she's not moving and her lips are purple",
    "he overdosed last year and now he's not breathing",
    "hes choking on his vomit",
    "heart racing and chest pain after coke",
    "he collapsed in the bathroom",
    "he's unconscious",
    "my dad is not responding",
    "i cant breathe",
    "wont wake up help",
    "hes not breahting",
    "shes unresponsiv",
    "he's overdosin",
    "my gf took a bunch of percs and wont respond",
    "he nodded out and i cant wake him",
    "he's on the floor not moving",
    "i think he's ODing, his lips are gray",
    "found him blue in the bathroom",
    "she's barely breathing after shooting up",
    "my homie fell out and isn't breathing right",
    "someone's overdosing in the bathroom",
    "hes od'ing help",
    "my son took his moms pills, a whole bottle",
    "she drank a whole bottle of vodka and wont wake up",
    "hes gasping for air",
    "he's snoring after using fent",
    "his pupils are tiny and he won't answer",
    "i gave him narcan but he's still out",
    "help he's overdosing",
    "please help my boyfriend is blue and not breathing",
    "my sister took a bunch of pills and she's really out of it",
    "hes breathing but he wont wake up",
    "he won't open his eyes",
    "hes not waking up after shooting up",
    "she is gray and cold",
    "she's making a weird snoring noise and won't respond",
    "my friend is turning purple",
    "i think my friend is overdosing on fent",
    "we think he overdosed",
    "he took 30 oxys",
    "he smoked some fent and passed out",
    "my mom took a whole bottle of sleeping pills",
    "he's breathing really slow",
    "he's barely conscious",
    "he's going in and out",
    "his skin is blue",
    "she's twitching and won't wake",
    "i did too much coke my heart is racing",
    "i took way too much xanax",
    "my friend is having a bad reaction to something she took",
    "help my friend is dying",
    "OD at the park, need narcan asap",
    "my friend is not breathing after taking pills",
    "i think im dying",
    "he injected and collapsed",
    "she's lips blue",
    "her lips is blue",
    "he wont wake up and hes snoring weird",
    "i cant wake my son",
    "can't rouse him",
    "he's non-responsive",
    "he keeps stopping breathing",
    "she's breathing funny after using",
    "i gave narcan twice and he's still blue",
};

// 52 messages.
constexpr std::string_view kOverdoseSpanish[] = {
    "mi hermano no respira",
    "no está respirando",
    "respira raro",
    "ronca raro y no despierta",
    "tiene los labios morados",
    "se le pusieron azules los labios",
    "no despierta",
    "no lo puedo despertar",
    "no reacciona",
    "no responde",
    "se desmayó y no reacciona",
    "está convulsionando",
    "tomó demasiadas pastillas",
    "se metió mucho",
    "está teniendo una sobredosis",
    "creo que tiene una sobredosis",
    "se está poniendo morado",
    "le di narcan y sigue sin despertar",
    "se tomo todo el frasco de pastillas",
    "mi amiga esta inconsciente",
    "echando espuma por la boca",
    "no se mueve",
    "se esta muriendo",
    "sobredosis",
    "apenas respira",
    "mi novio se paso con la dosis",
    "elle respire mal",
    "no respira bien",
    "no respira y esta morado",
    "dejó de respirar",
    "mi novio se tomó un frasco entero de clonazepam",
    "está frío y no se mueve",
    "le dimos naloxona y no reacciona",
    "nn despierta",
    "está inconsciente",
    "creo que está muerto",
    "se está ahogando",
    "el fentanilo le cayó mal, está muy raro",
    "le di naloxona dos veces",
    "se puso azul",
    "mi amigo está morado y no respira",
    "creo que se está muriendo de sobredosis",
    "se cayó y no reacciona",
    "está vomitando y no despierta",
    "se quedó dormido y no lo puedo despertar",
    "no responde y tiene los labios azules",
    "se tomó todas las pastillas de su mamá",
    "se inyectó y se desmayó",
    "le está dando una sobredosis",
    "mi hija tomó muchas pastillas",
    "sigue sin despertar",
    "no está despierto",
};

// 47 messages.
constexpr std::string_view kOverdoseFrench[] = {
    "she is convulsing",
    "il respire pas",
    "y respire pu",
    "ses lèvres sont bleues",
    "lèvres mauves",
    "il se réveille pas",
    "y se réveille pus",
    "il répond pas",
    "elle répond pu",
    "il a perdu connaissance",
    "il fait une surdose",
    "a fait une od",
    "il convulse",
    "il a pris trop de pilules",
    "j'arrive pas à le réveiller",
    "chu pas capable de l'réveiller",
    "il ne respire plus",
    "il respire à peine",
    "y vient bleu",
    "je pense qu'il fait une overdose",
    "il bouge pu",
    "elle a de la misère à respirer",
    "il ronfle bizarre pis y se réveille pas",
    "il a pris du fent pis y file pas",
    "je lui ai donné du narcan pis y réagit pas",
    "ma blonde a trop pris",
    "y'é pu capable de respirer",
    "ma chum respire pu pis y'é bleu",
    "il est tout mou pis y se réveille pas",
    "elle a les yeux révulsés",
    "il s'est effondré",
    "il a pris toute la bouteille de pilules",
    "je pense qu'il est mort",
    "il fait une crise d'épilepsie",
    "mon coloc est en surdose",
    "il a les lèvres bleues",
    "y'é tout bleu",
    "elle bouge pu pis a respire pas",
    "mon chum a pris trop de pinottes",
    "j'pense qu'y fait une od",
    "il est inconscient",
    "il s'est injecté pis il s'est effondré",
    "y respire presque pu",
    "je trouve pas son pouls",
    "elle se réveille pas pis ses lèvres sont mauves",
    "il a avalé toute la bouteille",
    "il est tout bleu",
};

// 85 messages.
constexpr std::string_view kSuicideEnglish[] = {
    "kms",
    "i wanna kms",
    "i should just kys",
    "i want to unalive myself",
    "thinking about unaliving",
    "i want to end it all",
    "i'm going to end it tonight",
    "i want to kill myself",
    "im gonna kill my self",
    "i dont see the point of living",
    "whats the point anymore",
    "everyone would be better off without me",
    "they'd be better off if i was dead",
    "i want to disappear",
    "i just want to not exist",
    "i want to sleep forever",
    "i cant go on",
    "i cant do this anymore",
    "there's no reason to live",
    "nothing to live for",
    "this is goodbye forever",
    "goodbye everyone",
    "i'm planning to take all my pills",
    "gonna take all my pills tonight",
    "i have a rope to end it",
    "i bought a gun to end it",
    "i've been cutting myself again",
    "i want to hurt myself",
    "i feel suicidal",
    "im suicidal",
    "i wish i was dead",
    "i hope i dont wake up tomorrow",
    "i dont want to live anymore",
    "i cant take it anymore",
    "life isnt worth living",
    "im tired of living",
    "i want to die",
    "wanna die",
    "im going to jump off a bridge",
    "i'm on the bridge",
    "going to overdose on purpose",
    "i want to overdose",
    "i'm a burden, they'd be happier without me",
    "i wont be here tomorrow",
    "i've been thinking of killing myself",
    "i wanna die lol",
    "i'm going to kill myself",
    "im gonna unalive",
    "sewerslide",
    "i want to slit my wrists",
    "i'm going to hang myself",
    "i've been saving up my pills",
    "can't keep living like this",
    "i just want it to end, i want to die",
    "im done with life",
    "nobody would even notice if i was gone",
    "i'm suicidle",
    "i wanna end my life",
    "i have a gun and i'm going to use it on myself",
    "kms fr",
    "ima kys",
    "i hope i die in my sleep",
    "i want to die so bad",
    "i want to end my life tonight",
    "i'm gonna end it",
    "life is pointless and i want out",
    "i don't wanna be alive anymore",
    "i'd rather be dead",
    "everybody would be happier if i was gone",
    "i'm ready to die",
    "i've written my suicide note",
    "i'm thinking about ending it",
    "i cut my wrists",
    "i keep hurting myself",
    "im going to do it tonight, i have the pills",
    "i want to jump off the roof",
    "no one would miss me if i died",
    "i just want to go to sleep and never wake up",
    "what's the point in living",
    "i'm tired of being alive",
    "i want to stop existing",
    "i have a plan to kill myself",
    "i tried to kill myself last night",
    "i'm going to take all my meds tonight",
    "i can't handle this anymore",
};

// 38 messages.
constexpr std::string_view kSuicideSpanish[] = {
    "quiero desaparecer",
    "ya no quiero estar aquí",
    "ya no quiero vivir",
    "me quiero morir",
    "kiero morir",
    "no aguanto más",
    "quiero quitarme la vida",
    "voy a matarme",
    "me voy a matar",
    "quiero acabar con todo",
    "estaría mejor muerta",
    "todos estarían mejor sin mí",
    "me corto",
    "quiero cortarme",
    "quiero hacerme daño",
    "me quiero suicidar",
    "no tengo razones para vivir",
    "la vida no vale la pena",
    "adiós para siempre",
    "voy a tomarme todas las pastillas",
    "tengo una soga para acabar con todo",
    "me voy a tirar del puente",
    "tengo pensamientos suicidas",
    "ya no puedo seguir viviendo así",
    "no quiero despertar mañana",
    "me quiero matar",
    "quiero morirme ya",
    "estoy pensando en suicidarme",
    "mi hija dice que se quiere morir",
    "ya me quiero morir",
    "quiero suicidarme",
    "no quiero seguir viviendo",
    "voy a acabar con mi vida",
    "estoy cansado de vivir",
    "mi vida no tiene sentido",
    "me quiero morir ya no aguanto",
    "voy a colgarme",
    "me estoy cortando otra vez",
};

// 40 messages.
constexpr std::string_view kSuicideFrench[] = {
    "je pense au suicide tout le temps",
    "j'en peux plus, je veux mourir",
    "j'en peux plus de vivre",
    "je veux en finir",
    "je veux plus vivre",
    "j'veux pu vivre",
    "je vais me tuer",
    "je veux me suicider",
    "je veux mettre fin à mes jours",
    "je veux disparaître",
    "j'ai envie de me faire du mal",
    "je me coupe",
    "je veux tout lâcher pour de bon",
    "j'ai le goût de mourir",
    "tout le monde serait mieux sans moi",
    "j'ai pu de raison de vivre",
    "je suis suicidaire",
    "je vais sauter du pont",
    "je vais prendre toutes mes pilules",
    "c'est un adieu",
    "la vie vaut pas la peine",
    "j'ai des idées suicidaires",
    "je veux mourir",
    "j'pense à me suicider",
    "j'veux juste disparaître",
    "je veux me pendre",
    "chu pu capable, j'veux mourir",
    "je vais me jeter en bas du pont",
    "je me fais du mal",
    "je veux me tuer",
    "j'ai envie de mourir",
    "je vais mettre fin à mes jours ce soir",
    "j'ai pensé à me suicider",
    "je veux juste dormir pour toujours",
    "je suis tanné de vivre",
    "j'ai pu le goût de vivre",
    "je veux pu me réveiller",
    "ma vie a pu de sens",
    "je me scarifie",
    "j'ai une corde pour en finir",
};

// 19 messages.
constexpr std::string_view kDistressEnglish[] = {
    "i feel hopeless",
    "i cant cope",
    "everything is falling apart",
    "i'm so alone",
    "nobody cares about me",
    "i'm desperate",
    "i'm so overwhelmed",
    "i hate my life",
    "i'm not ok",
    "the cravings are killing me",
    "i feel worthless",
    "i feel so empty",
    "i'm falling apart",
    "no one cares",
    "i'm at my wits end",
    "i feel so lonely",
    "i'm so depressed",
    "i'm so hopeless",
    "i have no one",
};

// 8 messages.
constexpr std::string_view kDistressSpanish[] = {
    "estoy desesperada", "no puedo más",    "estoy muy mal",         "me siento muy sola",
    "estoy deprimida",   "nadie me quiere", "me siento desesperado", "estoy muy triste y sola",
};

// 11 messages.
constexpr std::string_view kDistressFrench[] = {
    "je file pas",
    "ça va pas pantoute",
    "je suis désespéré",
    "je suis à bout",
    "j'en peux plus",
    "je me sens seule",
    "je me sens vide",
    "je capote",
    "tout le monde s'en fout de moi",
    "je suis déprimé",
    "je me sens tellement seul",
};

// 271 messages that must raise nothing: past events, the self negated, questions,
// training, idioms, and everyday requests for help with addiction.
constexpr std::string_view kLookAlikes[] = {
    "my brother overdosed last year, how do I help him stay clean",
    "he OD'd 2 years ago",
    "mi hermano tuvo una sobredosis el año pasado",
    "il a fait une surdose l'an passé",
    "not suicidal, just want detox",
    "je ne suis pas suicidaire",
    "no soy suicida",
    "what are the signs of an overdose",
    "how do I use narcan",
    "overdose prevention site near me",
    "naloxone training",
    "I'm dying to get into rehab",
    "this wait is killing me",
    "my phone died",
    "dead tired",
    "I could kill for a coffee",
    "killing it at work",
    "me muero de hambre",
    "je meurs de faim",
    "where can i get narcan",
    "i need detox in denver",
    "how do i find a meeting",
    "my son drinks too much",
    "mi esposo toma mucho",
    "i'm 30 days clean",
    "can't wake up in the morning",
    "I can't wake up early for work",
    "where is the closest methadone clinic",
    "i want to quit drinking",
    "I want to give up drinking",
    "my phone is dying text me back",
    "this cake is to die for",
    "we fell out last month",
    "I took too much time off work",
    "ça a pris trop de temps",
    "je vais me couper les cheveux",
    "me voy a cortar el pelo",
    "i cut myself shaving",
    "I want to end it with my boyfriend",
    "mi hijo tiene ojos azules",
    "ça fait mal au dos",
    "j'ai pris 2 pilules",
    "I took 2 advil",
    "my husband snores so loud",
    "he's dead serious",
    "fentanyl test strips",
    "what happens if you take too much xanax",
    "my son died of an overdose and I need grief support",
    "j'ai perdu mon fils à cause d'une surdose",
    "what's the point of calling if no one answers",
    "overdose awareness day events",
    "5 kms from the clinic",
    "cette attente me tue",
    "ça va me tuer si je rate le bus",
    "je veux en finir avec la drogue",
    "I'm not overdosing, just withdrawal",
    "suicide prevention training",
    "prevención del suicidio",
    "I don't want to live with my mom anymore",
    "ya no quiero vivir con mi papá",
    "the sky is all blue",
    "take slow deep breaths",
    "how long does narcan last",
    "I'm a nurse looking for naloxone kits",
    "mi papá murió de sobredosis hace 5 años",
    "necesito un centro de rehabilitación",
    "j'ai besoin d'une thérapie",
    "he passed away from an overdose in 2019",
    "I blacked out last night",
    "how can i tell if someone is overdosing",
    "what do i do if someone overdoses",
    "my brother used to overdose a lot",
    "last year my little brother overdosed",
    "he survived an overdose and wants treatment",
    "hace dos años tuvo una sobredosis",
    "elle a fait une surdose il y a deux ans",
    "c'est quoi les signes d'une surdose",
    "¿cómo se usa la naloxona?",
    "comment utiliser la naloxone",
    "im not suicidal",
    "je suis pas suicidaire, je veux juste de l'aide",
    "no soy suicida, solo quiero dejar las drogas",
    "dying for a smoke",
    "me muero de risa",
    "je suis mort de rire",
    "my feet are killing me",
    "i need to find a job",
    "my battery is dead",
    "he's dead to me",
    "I'm looking for AA meetings",
    "i relapsed yesterday and need help",
    "i want to stop using meth",
    "necesito ayuda para dejar el alcohol",
    "je cherche une thérapie pour ma consommation",
    "my son is using again, what do I do",
    "I'm worried my daughter is using fentanyl",
    "what are suboxone side effects",
    "do you have narcan kits",
    "I lost my job",
    "je veux arrêter de boire",
    "quiero dejar de tomar",
    "i'm 2 weeks sober",
    "is it safe to mix xanax and alcohol",
    "the deal collapsed",
    "we need to end it here",
    "he won't move out of my house",
    "i hurt my back at work",
    "I'm in withdrawal and I feel sick",
    "il pleut",
    "hola necesito información",
    "I need help finding a detox center near me",
    "where can I get suboxone in ohio",
    "my son is addicted to opioids what should I do",
    "how do I talk to my husband about his drinking",
    "is there a methadone clinic in toronto",
    "I relapsed last week and I feel ashamed",
    "my daughter has been using meth, we don't know how to help",
    "I've been clean for 6 months",
    "can I get naloxone at the pharmacy without a prescription",
    "do you have info on AA meetings",
    "I need a bed in rehab asap",
    "my insurance won't cover treatment",
    "what's the number for the crisis line",
    "I'm looking for harm reduction services",
    "where can I get clean needles",
    "my brother keeps stealing money to buy drugs",
    "my mom drinks every night and passes out on the couch",
    "he is always high, I'm worried about him",
    "how long does withdrawal from heroin last",
    "I'm detoxing and I can't sleep",
    "I'm shaking and sweating from withdrawal",
    "I feel sick from withdrawal, is that normal",
    "my friend told me she uses fentanyl, should I be worried",
    "we found pills in my son's room",
    "can you send me the address of the clinic",
    "I'm a nurse and I want to volunteer",
    "I want to stop drinking but I don't know where to start",
    "my partner won't go to treatment",
    "I'm scared to tell my family I use",
    "does medicaid pay for rehab",
    "what's the difference between suboxone and methadone",
    "I took my methadone dose this morning",
    "my doctor cut my dose and I feel terrible",
    "I missed my appointment, can I reschedule",
    "how do I get my kid into treatment if he refuses",
    "the shelter is full tonight",
    "I have nowhere to sleep tonight",
    "I lost my job because of my drinking",
    "I want to get sober for my kids",
    "I'm on day 3 without using",
    "he's been clean for a year but I'm scared he'll relapse",
    "I take too many things on at once lol",
    "my dog died last week and I've been drinking more",
    "my dad passed away last year from cancer",
    "I'm dying for some good news",
    "I nearly died laughing",
    "this traffic is killing me, running late for group",
    "my back is killing me",
    "I hate waiting",
    "I'm dead tired after my shift",
    "i'm so tired",
    "my friend is in the hospital after an overdose last month, how can I support her",
    "how can I stop smoking crack",
    "he's nodding at me to come in",
    "I'm picking up my prescription",
    "can I mix suboxone and alcohol",
    "necesito ayuda para mi hijo que usa drogas",
    "dónde hay un centro de desintoxicación",
    "mi esposo bebe mucho y no quiere ayuda",
    "quiero dejar de fumar marihuana",
    "tengo cita mañana en la clínica",
    "mi hermana está en rehabilitación",
    "cuánto cuesta el tratamiento",
    "no tengo seguro médico",
    "estoy limpio hace 3 meses",
    "me siento un poco nervioso antes de la cita",
    "no puedo dormir por la abstinencia",
    "je cherche un centre de désintoxication",
    "mon fils consomme du crack, quoi faire",
    "je bois trop depuis la pandémie",
    "y a-tu une clinique de méthadone à Montréal",
    "j'ai besoin d'un rendez-vous",
    "je suis sobre depuis 2 ans",
    "ma mère boit trop",
    "je veux arrêter de consommer",
    "mon chum a rechuté la semaine passée",
    "ça me tente pas d'aller à la réunion",
    "j'ai pas de place où dormir ce soir",
    "je me sens un peu nerveux",
    "il prend de la méthadone",
    "mon ado fume du pot tous les jours",
    "il respire mieux depuis qu'il a arrêté de fumer",
    "je vais me coucher, bonne nuit",
    "c'est plate en maudit",
    "il a de la misère à l'école",
    "j'ai trop mangé",
    "I feel a bit down today",
    "it's been a rough week",
    "I'm stressed about money",
    "he looks pale and tired after detox",
    "she's sleeping a lot since starting treatment",
    "how many narcan doses should I carry",
    "my friend overdosed last month and is in rehab now",
    "I'm worried he will overdose someday",
    "does narcan work on xanax",
    "my son overdosed twice in 2022 and now he's in recovery",
    "i almost passed out at the gym",
    "i blacked out drinking again",
    "I could really go for a drink",
    "I'm going to the pharmacy to get narcan",
    "je veux pu boire",
    "I want to live a better life",
    "I don't want to live like my dad did",
    "I want to be there for my kids",
    "I'm finally happy",
    "I'm done with drugs forever",
    "I'm done with alcohol",
    "I'm tired of being sick and tired",
    "I need to get out of this town",
    "no sé dónde hay un centro de tratamiento",
    "no respondo por lo que haga mi hijo",
    "no me gusta el programa",
    "mi hijo no quiere ir a rehabilitación",
    "no tengo dinero para el tratamiento",
    "no puedo ir mañana a la cita",
    "no me despierto temprano nunca",
    "no me puedo despertar en las mañanas",
    "estoy cansado del trabajo",
    "me duele la cabeza por la resaca",
    "mi esposo ronca muy fuerte",
    "la pastilla es azul",
    "tengo los ojos rojos",
    "no tiene sentido lo que dice el doctor",
    "se puso muy contento con la noticia",
    "tomé mis pastillas de la presión",
    "mi hermano toma demasiado los fines de semana",
    "me pasé mucho tiempo esperando",
    "se metió en problemas con la policía",
    "no aguanto el dolor de espalda",
    "mi hijo está flojo todo el día",
    "qué hacer si alguien tiene una sobredosis",
    "cuáles son los síntomas de una sobredosis de fentanilo",
    "taller de prevención de sobredosis",
    "me muero de ganas de verte",
    "je sais pas où aller pour une thérapie",
    "il répond jamais au téléphone le samedi",
    "je me réveille pas avant midi",
    "je veux pas aller à la réunion ce soir",
    "il dort tout le temps depuis qu'il a arrêté",
    "respire par le nez, ça va passer",
    "il a les yeux bleus",
    "le ciel est tout gris aujourd'hui",
    "j'ai pas de réponse de la clinique",
    "il est mort de fatigue après sa job",
    "il a pris trop de poids",
    "j'ai pris trop de café",
    "ça me tue de le voir comme ça",
    "je pense à mon frère qui a fait une surdose en 2019",
    "mon père est mort d'une surdose il y a cinq ans",
    "formation sur la naloxone",
    "c'est quoi les symptômes d'une surdose",
    "comment donner la naloxone",
    "il a pas le coeur à ça",
    "j'en ai assez de l'attente",
    "je vais prendre mon temps",
    "je veux partir en voyage",
    "je veux juste dormir",
    "il a pris toute la soirée pour se décider",
    "mon chum prend trop de place",
    "je veux tout arrêter de consommer",
    "elle a les lèvres gercées",
};

// The noun "overdose" and "OD" alone: a loanword in French and Spanish texts
// too, so the deciding rule has no language (overdose_loanword, "*").
constexpr std::string_view kOverdoseLoanword[] = {
    "overdose at my house", "my friend od", "call 911? he od", "overdose ici vite", "overdose aqui rapido",
};

// ---- Each table, run as one test that names every failing message.

template <std::size_t N>
void ExpectOverdose(const std::string_view (&messages)[N], std::string_view lang) {
  for (std::string_view m : messages) {
    const RiskAssessment a = Assess(m);
    EXPECT_TRUE(a.overdose) << Describe(m, a);
    EXPECT_EQ(a.lang, lang) << Describe(m, a);
    EXPECT_FALSE(a.distress) << Describe(m, a);
  }
}

template <std::size_t N>
void ExpectSuicide(const std::string_view (&messages)[N], std::string_view lang) {
  for (std::string_view m : messages) {
    const RiskAssessment a = Assess(m);
    EXPECT_TRUE(a.suicide) << Describe(m, a);
    if (!a.overdose) {
      EXPECT_EQ(a.lang, lang) << Describe(m, a);
    }
    EXPECT_FALSE(a.distress) << Describe(m, a);
  }
}

template <std::size_t N>
void ExpectDistressOnly(const std::string_view (&messages)[N], std::string_view lang) {
  for (std::string_view m : messages) {
    const RiskAssessment a = Assess(m);
    EXPECT_TRUE(a.distress) << Describe(m, a);
    EXPECT_FALSE(a.overdose || a.suicide) << Describe(m, a);
    EXPECT_EQ(a.lang, lang) << Describe(m, a);
  }
}

TEST(RiskDetector, ShippedDataParsesWithRulesForEveryClass) {
  EXPECT_GT(Shipped().rule_count(), 200u);
  EXPECT_GT(Shipped().concept_count(), 50u);
}

TEST(RiskDetector, AnOverdoseHappeningNowIsFlaggedInEnglish) { ExpectOverdose(kOverdoseEnglish, "en"); }
TEST(RiskDetector, AnOverdoseHappeningNowIsFlaggedInSpanish) { ExpectOverdose(kOverdoseSpanish, "es"); }
TEST(RiskDetector, AnOverdoseHappeningNowIsFlaggedInFrench) { ExpectOverdose(kOverdoseFrench, "fr"); }

TEST(RiskDetector, SuicideOrSelfHarmRiskIsFlaggedInEnglish) { ExpectSuicide(kSuicideEnglish, "en"); }
TEST(RiskDetector, SuicideOrSelfHarmRiskIsFlaggedInSpanish) { ExpectSuicide(kSuicideSpanish, "es"); }
TEST(RiskDetector, TheOverdoseLoanwordIsFlaggedInEveryLanguage) { ExpectOverdose(kOverdoseLoanword, ""); }

TEST(RiskDetector, SuicideOrSelfHarmRiskIsFlaggedInFrench) { ExpectSuicide(kSuicideFrench, "fr"); }

TEST(RiskDetector, DistressWithoutASafetySignIsFlaggedAsDistressInEnglish) {
  ExpectDistressOnly(kDistressEnglish, "en");
}
TEST(RiskDetector, DistressWithoutASafetySignIsFlaggedAsDistressInSpanish) {
  ExpectDistressOnly(kDistressSpanish, "es");
}
TEST(RiskDetector, DistressWithoutASafetySignIsFlaggedAsDistressInFrench) { ExpectDistressOnly(kDistressFrench, "fr"); }

TEST(RiskDetector, LookAlikesRaiseNoSignal) {
  for (std::string_view m : kLookAlikes) {
    const RiskAssessment a = Assess(m);
    EXPECT_FALSE(a.overdose || a.suicide || a.distress) << Describe(m, a);
    EXPECT_TRUE(a.rule.empty() && a.lang.empty()) << Describe(m, a);
  }
}

// ---- Guards: which one silenced what, and what they never silence.

struct GuardedCase {
  std::string_view message;
  std::string_view guard;
};

TEST(RiskDetector, EachGuardNamesItselfWhenItSilencesARule) {
  const GuardedCase cases[] = {
      {"my brother overdosed last year, how do I help him stay clean", "en_past_after"},
      {"last year my little brother overdosed", "en_past_before"},
      {"he OD'd 2 years ago", "en_past_after"},
      {"my son died of an overdose and I need grief support", "en_died_of_overdose"},
      {"what are the signs of an overdose", "en_info_question"},
      {"how do I use narcan", "en_info_question"},
      {"overdose prevention site near me", "en_info_after"},
      {"not suicidal, just want detox", "en_not_suicidal"},
      {"I'm dying to get into rehab", "en_idiom_dying_to"},
      {"my phone is dying text me back", "en_idiom_device"},
      {"he's dead serious", "en_idiom_dead"},
      {"this wait is killing me", "en_idiom_killing_me"},
      {"I want to give up drinking", "en_give_up_substance"},
      {"I can't wake up early for work", "en_self_cant_wake_up"},
      {"5 kms from the clinic", "en_kms_units"},
      {"I want to end it with my boyfriend", "en_end_it_with_someone"},
      {"i cut myself shaving", "en_self_harm_accident"},
      {"I don't want to live with my mom anymore", "en_live_with"},
      {"mi hermano tuvo una sobredosis el año pasado", "es_pasado_despues"},
      {"no soy suicida", "es_no_soy_suicida"},
      {"me muero de hambre", "es_idioma_morir_de"},
      {"me voy a cortar el pelo", "es_cortarme_pelo"},
      {"il a fait une surdose l'an passé", "fr_passe_apres"},
      {"elle a fait une surdose il y a deux ans", "fr_il_y_a_ans"},
      {"je ne suis pas suicidaire", "fr_pas_suicidaire"},
      {"je meurs de faim", "fr_idiome_mourir_de"},
      {"cette attente me tue", "fr_idiome_tuer"},
      {"je veux en finir avec la drogue", "fr_en_finir_avec_conso"},
      {"je vais me couper les cheveux", "fr_couper_cheveux"},
      {"ça a pris trop de temps", "fr_trop_de_temps"},
  };
  for (const GuardedCase& c : cases) {
    const RiskAssessment a = Assess(c.message);
    EXPECT_FALSE(a.overdose || a.suicide || a.distress) << Describe(c.message, a);
    EXPECT_EQ(a.guard, c.guard) << Describe(c.message, a);
  }
}

// Found by risk_guard_property_test: a strong guard whose words are the
// sign's ("killing myself at work", "wake up early") silences only the
// match it shares a word with (side "overlap"), not a sign beside it; a
// negation ("je veux pas mourir") outranks only a match that cannot be made
// without its words.
TEST(RiskDetector, AGuardOrNegationBesideASignLeavesTheSign) {
  const SignCase cases[] = {
      {"i will kill myself killing myself at work for nothing", false, true},
      {"im killing myself at work this week", false, false},
      {"cant wake up early hope i die", false, true},
      {"i hope i dont wake up late tomorrow, big exam", false, false},
      {"je veux pas mourir mais j'en peux plus, je veux en finir", false, true},
      {"veux pas mourir jen peux plus en finir", false, true},
      {"je veux pas mourir", false, false},
      {"no quiero morir pero ya no aguanto mas, me quiero matar", false, true},
      {"no quiero morir", false, false},
      {"i want to end it with my boyfriend", false, false},
  };
  ExpectSigns(cases);
}

// Blind rounds s4-1..6 (tests/engine/eval/round_s4_*.tsv): the signs they
// missed, said in other words, and their look-alikes.
TEST(RiskDetector, BlindRoundSignsAndTheirLookAlikes) {
  const SignCase cases[] = {
      {"j'ai le goût d'en finir à soir", false, true},
      {"ma blonde a envie d'en finir", false, true},
      {"je veux en finir avec la drogue", false, false},
      {"i dont wanna b alive anymore", false, true},
      {"she said goodbye on her story and now her phone is off", false, true},
      {"his location is at the bridge and he texted me goodbye", false, true},
      {"mi tio esta privao y casi no resuella", true, false},
      {"se quedo pegao y no bota aire", true, false},
      {"mi primo ta morao despues de meterse algo", true, false},
      {"el dia esta gris", false, false},
      {"siento que soy una carga para todos", false, true},
      {"mejor desaparezco para siempre", false, true},
      {"me voy de vacaciones", false, false},
      {"mi novio me mando un audio despidiendose", false, true},
      {"j'ai envie de me crisser en bas du pont", false, true},
      {"i have it all planned out for friday, i just wanted to tell someone first", false, true},
      {"i have it all planned out for the party friday, just wanted to tell someone first lol", false, false},
      {"found a note saying sorry for everything", false, true},
      {"that song overdose by grandson is stuck in my head", false, false},
      {"la toune overdose me reste dans la tête", false, false},
      {"he overdosed on the bathroom floor while a song was playing", true, false},
      {"im dying 😂😂 this is the funniest thing ive seen", false, false},
      {"im dying, hes not breathing, this is not funny", true, false},
      // round s4-5
      {"chu pus capable de réveiller mon chum", true, false},
      {"me voy a quitar del medio, ya nadie me necesita", false, true},
      {"quitate del medio que voy a pasar", false, false},
      {"personne va s'ennuyer de moi quand je serai parti", false, true},
      {"blasting \"suicidal\" by ynw melly in the car rn", false, false},
      {"im listening to you but i feel suicidal", false, true},
      // round s4-6
      {"i think my friend smoked tranq, hes super sedated and i cant get him up", true, false},
      {"i cant pick him up from school today", false, false},
      {"i took melatonin and now i cant stay awake lol goodnight", false, false},
      {"i took melatonin and cant stay awake", true, false},
      {"took 20 melatonin and i cant stay awake goodnight", true, false},
      {"took 2 advil for my headache", false, false},
  };
  ExpectSigns(cases);
}

TEST(RiskDetector, StrongPresentSignsAreNeverSilencedByAGuard) {
  struct Case {
    std::string_view message;
    bool overdose;
    bool suicide;
  };
  const Case cases[] = {
      {"he overdosed last year and now he's not breathing", true, false},
      {"my brother overdosed 2 years ago and tonight his lips are blue", true, false},
      {"what are the signs of an overdose? he won't wake up", true, false},
      {"mi hermano tuvo una sobredosis el año pasado y ahora no respira", true, false},
      {"il a fait une surdose l'an passé pis là y respire pu", true, false},
      {"I'm not suicidal but I want to die", false, true},
      {"no soy suicida pero me quiero morir", false, true},
      {"je suis pas suicidaire mais je veux mourir", false, true},
      {"I'm dying to get into rehab, I want to kill myself", false, true},
  };
  for (const Case& c : cases) {
    const RiskAssessment a = Assess(c.message);
    EXPECT_EQ(a.overdose, c.overdose) << Describe(c.message, a);
    EXPECT_EQ(a.suicide, c.suicide) << Describe(c.message, a);
    EXPECT_FALSE(a.guard.empty()) << "a guard matched but did not silence: " << Describe(c.message, a);
  }
}

TEST(RiskDetector, AStrongGuardSilencesAStrongSignOnlyRightNextToIt) {
  struct Case {
    std::string_view message;
    bool overdose;
    bool suicide;
  };
  const Case cases[] = {
      {"my lips are blue from the cold lol", false, false},
      {"i cant breathe im laughing so hard", false, false},
      {"my phone is about to die", false, false},
      {"im going to end it with my boyfriend", false, false},
      // the same strong signs with no harmless cause beside them
      {"his lips are blue and hes cold", true, false},
      {"i cant breathe and my chest hurts after the pills", true, false},
      {"my phone is at 2% and i want to die", false, true},
      {"im going to end it tonight", false, true},
  };
  for (const Case& c : cases) {
    const RiskAssessment a = Assess(c.message);
    EXPECT_EQ(a.overdose, c.overdose) << Describe(c.message, a);
    EXPECT_EQ(a.suicide, c.suicide) << Describe(c.message, a);
  }
}

TEST(RiskDetector, IdiomGuardsSayIdiomAndHarmQuestionsSayHarm) {
  RiskAssessment a = Assess("i overdosed on netflix this weekend");
  EXPECT_FALSE(a.overdose) << Describe("netflix", a);
  EXPECT_EQ(a.guard_topic, "idiom");
  a = Assess("ma mère va me tuer");
  EXPECT_FALSE(a.suicide);
  EXPECT_TRUE(a.idiom) << "a '... kill me' idiom is reported even when nothing was silenced";
  a = Assess("my phone is about to die");
  EXPECT_FALSE(a.idiom) << "only '... kill me' idioms name no family request";
  a = Assess("how much fentanyl is an overdose");
  EXPECT_FALSE(a.overdose);
  EXPECT_EQ(a.guard_topic, "harm");
}

// ---- Which rule decides.

TEST(RiskDetector, AnOverdoseDecidesBeforeSuicideAndBothAreReported) {
  const RiskAssessment a = Assess("I took all my pills because I want to die");
  EXPECT_TRUE(a.overdose);
  EXPECT_TRUE(a.suicide);
  EXPECT_FALSE(a.distress);
  EXPECT_EQ(a.rule, "en_took_all_of");
  EXPECT_EQ(a.lang, "en");
}

TEST(RiskDetector, DistressIsOnlyReportedWithoutASafetySignal) {
  const RiskAssessment a = Assess("I feel hopeless and I want to kill myself");
  EXPECT_TRUE(a.suicide);
  EXPECT_FALSE(a.distress);
  EXPECT_EQ(a.rule, "en_kill_myself");
}

TEST(RiskDetector, AStrongSignDecidesBeforeAGuardableWord) {
  const RiskAssessment a = Assess("I think he overdosed, he's not breathing");
  EXPECT_TRUE(a.overdose);
  EXPECT_EQ(a.rule, "en_not_breathing");
}

// Fresh-round rule (issue 10): a short typo of "die" that is no English
// word counts as "die"; "dye" and other real words do not.
TEST(RiskDetector, ATypoOfDieThatIsNoWordIsADie) {
  for (std::string_view m : {"i want to dei", "i just wanna diee"}) {
    const RiskAssessment a = Assess(m);
    EXPECT_TRUE(a.suicide) << Describe(m, a);
  }
  for (std::string_view m : {"i want to dye my hair", "i want to deal with this"}) {
    const RiskAssessment a = Assess(m);
    EXPECT_FALSE(a.overdose || a.suicide) << Describe(m, a);
  }
}

// What each message of a list must raise.
enum class Want { kOverdose, kSuicide, kSuicideNotOverdose, kOverdoseSetAside, kNoSafety, kSomeSafety };

void ExpectEach(Want want, std::initializer_list<std::string_view> messages) {
  for (std::string_view m : messages) {
    const RiskAssessment a = Assess(m);
    bool ok = false;
    switch (want) {
      case Want::kOverdose: ok = a.overdose; break;
      case Want::kSuicide: ok = a.suicide; break;
      case Want::kSuicideNotOverdose: ok = a.suicide && !a.overdose; break;
      case Want::kOverdoseSetAside: ok = !a.overdose && a.overdose_silenced; break;
      case Want::kNoSafety: ok = !a.overdose && !a.suicide; break;
      case Want::kSomeSafety: ok = a.overdose || a.suicide; break;
    }
    EXPECT_TRUE(ok) << Describe(m, a);
  }
}

// Emoji (risk.json "description"): a death emoji is "die" only right after
// a wish or a plan; 💀 elsewhere is the skull of laughing; 💊 is a
// substance, 🔫 a way to kill, 💙 blue beside lips. No emoji silences a rule.
TEST(RiskDetector, EmojiCountOnlyWhereTheWordTheyReplaceWould) {
  ExpectEach(Want::kSuicide,
             {"i wanna 💀", "ready to ⚰️", "i just want to 🪦 fr", "gonna ☠️ tonight", "me quiero 💀",
              "je veux 💀💀", "thinking about 🔫 myself tonight", "🔫 to my head rn", "🔪 my wrists again"});
  ExpectEach(Want::kOverdose, {"I took a bunch of 💊 and now everything is spinning", "his lips r 💙 and hes nodding",
                               "sus labios 💙💙", "ses lèvres sont 🔵", "took way too many 💊 💊 💊"});
  // Look-alikes: the skull of laughing, an emoji after other words, a manicure, the cold.
  ExpectEach(Want::kNoSafety,
             {"lmao 💀💀 you did not just say that", "im dead 💀 that meme", "bro im weak 💀💀", "i want to go home 💀",
              "this chem exam is gonna kill me ⚰️", "ese partido me mato jajaja 💀", "mdr 💀 t'es trop drôle",
              "my new nails 💙", "my lips are 🥶", "got my 💊 refilled today", "i love you 💙", "pew pew 🔫 lol"});
  // An emoji never takes a safety sign away.
  ExpectEach(Want::kSomeSafety, {"i cant breathe 😂😂", "he's not breathing 💀", "i want to die 😂", "kms 🤣"});
  // Without the raw text (tokens alone) emoji are not seen: the words decide.
  EXPECT_FALSE(Shipped().Assess(Tokenize("i wanna 💀")).suicide);
}

// A past event told with its good end is not an emergency; the same words
// happening now are.
TEST(RiskDetector, APastBadTripWithAGoodEndIsNotAnOverdose) {
  ExpectEach(Want::kOverdoseSetAside, {"I had a bad trip last week but I'm fine now", "i had a bad trip but im ok now",
                                       "tuve un mal viaje pero ya estoy bien",
                                       "jai fait un bad trip la semaine passée mais ça va bien maintenant",
                                       "i had an overdose at a party but im fine now"});
  ExpectEach(Want::kOverdose,
             {"bad trip right now, can't breathe", "having a bad trip help", "bad trip rn",
              "he took too much, says he's fine now", "i had a bad trip and im fine now but he isnt breathing",
              "estoy en un mal viaje y no puedo respirar", "je fais un bad trip pis jarrive pu a respirer"});
}

// Round 6 warning signs without a keyword, each with the look-alikes its
// words also fit.
TEST(RiskDetector, WarningSignsWithoutAKeywordAndTheirLookAlikes) {
  ExpectEach(Want::kOverdose, {"took 3 blues and im seeing double and can barely keep my eyes open",
                               "he popped some bars and now he cant stay awake"});
  ExpectEach(
      Want::kSuicide,
      {"i gave away my guitar and my cat today. i won't need them",
       "my son posted a goodbye message on snap and isnt picking up", "she left a goodbye note on the kitchen table",
       "he sent everyone a goodbye text", "i looked up how many tylenol it takes",
       "i dont see myself being here by christmas", "i have a gun in my drawer and i cant stop thinking about it",
       "tengo una soga en el garaje y no dejo de pensar en eso", "j'ai une corde dans le garage pis j'pense juste à ça",
       "mi hija escribió que quiere morir y no contesta"});
  // Someone's wish to die outranks their not answering; a passive wish to sleep for good is not an overdose.
  ExpectEach(Want::kSuicideNotOverdose, {"she said she wants to die and now she's not answering",
                                         "ma fille a écrit qu'elle veut mourir pis elle répond pu à son cell",
                                         "i just want to go to sleep and not have to wake up ever again"});
  // "il va mourir" is still an overdose happening now, not a wish.
  EXPECT_TRUE(Assess("il va mourir, il respire pu").overdose);
  ExpectEach(
      Want::kNoSafety,
      {"gave away my old clothes to goodwill", "i dont see myself being here long term, thinking of moving",
       "i looked up how many calories it takes to lose a pound", "dice que quiere matar a su jefe jaja",
       "i have a knife for cooking and i keep looking at recipes", "i cant see myself making it to the party",
       "had a long shift and i can barely keep my eyes open", "ate a huge dinner and cant keep my eyes open",
       "took a nap and i still cant keep my eyes open", "i left my jacket at your place, i wont need it till monday",
       "the bridge concert was amazing, i keep thinking about it", "my ex sent me a goodbye text and blocked me",
       "can you help me write a goodbye message for my coworkers card"});
}

// Round 7: a wish not to wake up is suicide risk, not an overdose, in
// Spanish too; working oneself to death and a dying device (possessive 's
// folded in) are idioms; the same words as a plan or about a person stand.
TEST(RiskDetector, AWishNotToWakeAndTheIdiomsOfOverwork) {
  ExpectEach(Want::kSuicideNotOverdose, {"ojala no despertara mañana", "quisiera dormirme y no despertar"});
  EXPECT_TRUE(Assess("mi papa no despierta").overdose);
  ExpectEach(Want::kNoSafety,
             {"im killing myself at work this week", "je me tue à l'ouvrage cette semaine", "je me tue au travail",
              "my phone's about to die, ill text u later", "my laptop's about to die lol"});
  ExpectEach(Want::kSomeSafety,
             {"im going to kill myself at work tomorrow", "je vais me tuer ce soir", "im killing myself tonight",
              "he's about to die, his phone's dead and he isnt breathing"});
}

// Round 8: plans to take every pill, pills put aside, no will to live and a
// plan with a farewell letter (es/fr), each beside the words that are not one.
TEST(RiskDetector, PlansLettersAndPillsPutAsideInSpanishAndFrench) {
  ExpectEach(Want::kSuicide,
             {"tengo todas las pastillas juntas y esta noche me las voy a tomar",
              "tengo pastillas guardadas por si acaso", "je vais prendre toutes mes pilules ce soir",
              "j'ai des pilules de côté", "j'ai pu envie d'être en vie", "j'ai perdu le goût de vivre",
              "j'ai tout planifié pour ce soir, je laisse une lettre à ma mère", "j'ai écrit ma lettre d'adieu"});
  ExpectEach(Want::kNoSafety, {"j'ai tout planifié pour ce soir, on sort au resto", "tengo las pastillas del doctor",
                               "j'ai écrit une lettre à ma mère pour sa fête",
                               "me voy a tomar las pastillas del doctor", "overdosed on espresso again 😅"});
  // Already swallowed: an overdose, not a plan.
  ExpectEach(Want::kOverdose, {"me tome todas las pastillas del frasco", "j'ai pris toutes mes pilules"});
}

// Round 9: looking for a painless way, death as the only way out; dying at a
// video and lips blue from a drink are idioms, the same words about a
// person stand.
TEST(RiskDetector, APainlessWayOutAndDyingAtAVideo) {
  ExpectEach(Want::kSuicide, {"what's the most painless way to go", "easiest way to end it all",
                              "i cant see a way out of this other than dying", "the only way out is to die"});
  ExpectEach(Want::kNoSafety, {"quickest way to go downtown from here", "whats the best way to go to the clinic",
                               "im literally dying 😂😂 this video", "my lips are blue from the blue raspberry slushie",
                               "theres no way out of this parking lot lol"});
  ExpectEach(Want::kOverdose,
             {"i think im dying, i took too many pills", "my lips are blue and im not breathing right"});
}

// Round 10: the least painful way to die and someone who talks of killing
// themselves (es/fr/en), a wish that it all ends "pour de vrai"; the same
// verbs about killing someone else, or a subject talked about, are not.
TEST(RiskDetector, APainlessWayAndTalkOfKillingOneselfInEveryLanguage) {
  ExpectEach(Want::kSuicide,
             {"cual es la forma menos dolorosa de morir", "c'est quoi la façon la moins douloureuse de mourir",
              "j'ai juste hâte que tout finisse, pour de vrai", "mon chum parle de se pendre depuis une semaine",
              "mi hermano habla de colgarse", "my boyfriend keeps talking about ending it"});
  // Overdoing it in the present is an overdose; asked about, it is set aside.
  ExpectEach(Want::kOverdose, {"mi hermano se esta pasando con la fenta"});
  ExpectEach(Want::kOverdoseSetAside, {"que hago si alguien se pasa con la fenta, quiero estar preparado"});
  ExpectEach(Want::kNoSafety,
             {"c'est plus facile de partir tôt", "mi hermano habla de matar a su jefe jaja",
              "we talked about suicide prevention in health class", "cual es la forma mas facil de llegar"});
}

// Round 11: a last day said of one's life, pills counted out, sleeping for
// good (fr), a heart about to explode after a stimulant; a last day of work
// and a heart full of love are not.
TEST(RiskDetector, ALastDayPillsCountedOutAndAHeartAboutToExplode) {
  ExpectEach(Want::kSuicide, {"hoy es mi ultimo dia, ya no aguanto", "c'est ma dernière journée, je vous aime",
                              "counted out all my pills tonight", "je voudrais juste m'endormir pour toujours"});
  ExpectEach(Want::kOverdose,
             {"bro is geeked off something, says his heart is gonna explode and hes sweating buckets"});
  ExpectEach(Want::kNoSafety,
             {"hoy es mi ultimo dia de trabajo, que felicidad", "c'est ma dernière journée de job demain, yé",
              "when i see him my heart is gonna explode", "counted out all my change for the bus",
              "i keep nodding off in class"});
  // Nodding out is a sign; asked about, it is a harm question; a strong sign in the question stands.
  ExpectEach(Want::kOverdose, {"my bf is nodding out on the couch", "is it normal if he's not breathing"});
  ExpectEach(Want::kOverdoseSetAside, {"what does it mean if someone is nodding out"});
  EXPECT_EQ(Assess("what does it mean if someone is nodding out").guard_topic, "harm");
}

// Round 12: a pet rehomed "so she'll be ok after", someone on a bridge who
// said sorry, no reason to keep going, farewell letters in Spanish; a late
// reply's sorry, Christmas cards and a sunburn are not.
TEST(RiskDetector, APetRehomedABridgeAndFarewellLetters) {
  ExpectEach(Want::kSuicide,
             {"rehomed my dog today so she'll be ok after",
              "my friend just texted me a pic from the top of the bridge and said sorry",
              "theres literally no reason for me to keep going", "ya escribi las cartas para mi familia"});
  ExpectEach(Want::kNoSafety,
             {"we took pics on the bridge, sorry for the late reply", "ya escribi las cartas de navidad",
              "i think i overdosed on sun at the beach lol im so burnt",
              "rehomed my dog because my new apartment doesnt allow pets"});
}

// Round 13: letting go, a car running in a closed garage, a date picked,
// everything ready with a goodbye, not being there tomorrow, death as the
// only way out; each beside the words that are not one.
TEST(RiskDetector, LettingGoAGarageADatePickedAndNoWayOut) {
  ExpectEach(
      Want::kSuicide,
      {"im tired of fighting, i think im ready to let go", "thinking about sitting in the garage with the car running",
       "i picked a date. its friday", "ya tengo todo listo para esta noche, perdon mama",
       "j'ai tout préparé, demain je serai plus là", "je vois pu comment m'en sortir à part mourir",
       "no veo otra salida mas que morir", "my husband died of an overdose and i dont know how to go on without him"});
  ExpectEach(Want::kNoSafety, {"im ready to let go of the pills for good",
                               "car is running in the garage warming up, brb", "we picked a date for the wedding!",
                               "demain je serai pu là, je pars au chalet", "my car is about to die lol"});
}

// A strong guard silences every match it overlaps, so its words must name
// only the harmless cause: the sign stands when the cause is not there.
TEST(RiskDetector, AStrongGuardsWordsDoNotSilenceTheSignTheyAppearIn) {
  ExpectEach(Want::kOverdose, {"hes turning blue in the face", "his lips turned blue after huffing paint",
                               "esta morado, estaba inhalando pintura"});
  ExpectEach(Want::kNoSafety, {"i told him until i was blue in the face", "my lips are blue from the paint lol"});
}

// A guard whose word is common (a device, "panicking", "pharmacy", "signs",
// "kicking", "yesterday") must not hide a sign happening now: the guard is
// the harmless thing with its own words, and a sign said with "now" or
// "again" stands beside a past word.
TEST(RiskDetector, ACommonWordInAGuardDoesNotHideASignHappeningNow) {
  ExpectEach(
      Want::kOverdose,
      {"he fell asleep watching tv and now wont wake up", "he was on his phone and he isnt responding",
       "he dropped his phone, now he wont wake up", "she took too much yesterday and now shes passed out",
       "hes seizing and kicking his legs", "im panicking he took too much and passed out",
       "im panicking, my friend is seizing", "i gave him narcan from the pharmacy kit and hes starting to wake up",
       "hes showing all the signs, he passed out on the couch", "i almost lost him, he's passed out again",
       "se quedo viendo la tele y no despierta"});
  ExpectEach(Want::kNoSafety,
             {"my phone is about to die", "my laptop's about to die lol", "battery dying, text u later",
              "se me muere el celular", "mon cell va mourir", "i blacked out drinking again", "my hair is blue now lol",
              "where can i get narcan to keep at the pharmacy just in case"});
  // Not knowing how much was taken is not a question about amounts; withdrawal before a sign "now" does not hide it.
  ExpectEach(Want::kOverdose,
             {"no se cuantas pastillas se tomo y se desmayo", "idk how many pills she took, shes unconscious",
              "estaba con malilla y se inyecto, ahora esta desmayado",
              "il était en manque, il a pris du fent pis là il est inconscient"});
  ExpectEach(Want::kOverdoseSetAside,
             {"how much fentanyl is an overdose", "cuanto fentanilo es una sobredosis",
              "cuanto dura un mal viaje de hongos", "combien de pilules pour faire une surdose"});
}

// Suicide guards of living arrangements, going on to a place, being away
// and withdrawal do not hide a wish to die said with the same words.
TEST(RiskDetector, ASuicideGuardsWordsDoNotHideAWishToDie) {
  ExpectEach(Want::kSuicide,
             {"i cant go on with the pain anymore", "i dont want to live with this pain",
              "no quiero vivir con este dolor", "je pars pour toujours, demain je serai plus là",
              "day 3 no dope and i just want to end it", "i dont want to exist with this much pain",
              "je veux plus vivre avec cette douleur", "im in withdrawal and i dont want to live anymore"});
  ExpectEach(Want::kNoSafety, {"i dont want to live with my dad anymore", "ya no quiero vivir con mi papa",
                               "i cant go on to the next level lol", "demain je serai pu là, je pars en voyage"});
  // Going on, carrying on, an accident: only with the place, task or accident named.
  ExpectEach(Want::kSuicide, {"i cant go on to be honest", "i dont want to carry on at all",
                              "ive been cutting myself at work in the bathroom",
                              "i keep cutting myself while everyone sleeps", "i cut myself to the bone last night"});
  ExpectEach(Want::kNoSafety, {"i cant keep going to meetings, too far", "i cut myself by accident while cooking"});
  ExpectEach(Want::kSuicide,
             {"je me coupe au travail dans les toilettes", "me corto en el trabajo en el baño para que nadie me vea",
              "me corte la mano a proposito"});
  ExpectEach(Want::kNoSafety, {"me voy a cortar el pelo mañana", "me corte cocinando",
                               "me lastime la espalda en el trabajo", "je me suis coupé en cuisinant"});
  // Ending it "here" or "early", "im suicidal" beside "not ok": said outright, they stand.
  ExpectEach(Want::kSuicide,
             {"i want to end it here", "i want to end things early this time", "im not ok, im suicidal"});
  ExpectEach(Want::kNoSafety, {"we need to end it here", "im not suicidal, just tired", "ive never been suicidal",
                               "i want to end things with my boyfriend"});
  // A topic guard's word used about the moment ("c'est la crise ici") is not a topic.
  ExpectEach(Want::kOverdose, {"mon fils fait une surdose, c'est la crise ici"});
  ExpectEach(Want::kNoSafety, {"la crise des surdoses est terrible"});
}

// Round 14: hoping not to wake up, a goodbye posted on a social network,
// no sense in going on (es/fr), someone else who no longer wants to live
// (es); gasping at a plot twist and living with someone are not.
TEST(RiskDetector, HopingNotToWakeAGoodbyeOnlineAndNoSenseInGoingOn) {
  ExpectEach(Want::kSuicide,
             {"sometimes i hope i just dont wake up", "my mom posted goodbye on facebook and isnt answering her phone",
              "ya no le encuentro sentido a seguir aqui", "j'vois pu l'intérêt de continuer à vivre",
              "mi esposo agarro la pistola y dice que ya no quiere vivir"});
  ExpectEach(Want::kNoSafety, {"gasping at this plot twist omg", "mi hijo ya no quiere vivir con nosotros",
                               "i hope i dont wake up late tomorrow, big exam"});
}

// "someone who" is a general question only when nobody is said to be there:
// an overdose with a place, someone found, or 911 already called stands.
TEST(RiskDetector, SomeoneWhoIsHereIsNotAQuestion) {
  ExpectEach(
      Want::kOverdose,
      {"theres someone who overdosed in the bathroom at the bar",
       "called 911 for an overdose, what do i do while i wait", "a guy who ODd is on the sidewalk outside my work",
       "hay alguien que tuvo una sobredosis en el baño ahorita", "y'a quelqu'un qui fait une surdose dans le métro"});
  ExpectEach(Want::kOverdoseSetAside,
             {"my brother overdosed in the bathroom last year", "what happens to someone who overdoses at a party",
              "for future reference, can i get arrested for calling 911 when someone ODs?"});
}

// A negation silences only the words it overlaps: "no quiero matarme"
// outranks the "quiero matar" inside it, not a wish to die beside it.
TEST(RiskDetector, ANegatedPhraseSilencesOnlyItsOwnWords) {
  for (std::string_view m : {"no quiero suicidarme, solo necesito desintoxicarme", "no me voy a suicidar tranquila",
                             "je veux pas me suicider, j'ai juste besoin d'aide pour arrêter"}) {
    const RiskAssessment a = Assess(m);
    EXPECT_FALSE(a.suicide || a.overdose) << Describe(m, a);
  }
  for (std::string_view m : {"no quiero matarme pero me quiero morir", "no quiero suicidarme pero me quiero morir",
                             "je veux pas me suicider mais je veux mourir", "quiero suicidarme"}) {
    const RiskAssessment a = Assess(m);
    EXPECT_TRUE(a.suicide) << Describe(m, a);
  }
}

// Letters written to everyone are a farewell; a letter for one task is not.
// "Envie d'en finir" with words in between is still a wish to end it.
TEST(RiskDetector, FarewellLettersAndAWishToEndItWithWordsBetween) {
  for (std::string_view m : {"i wrote letters to everyone and gave my dog to my sister",
                             "j'ai le goût de crisser mon camp pour de bon, d'en finir"}) {
    const RiskAssessment a = Assess(m);
    EXPECT_TRUE(a.suicide) << Describe(m, a);
  }
  for (std::string_view m : {"i wrote letters to my landlord about the rent", "j'ai fini mes devoirs"}) {
    const RiskAssessment a = Assess(m);
    EXPECT_FALSE(a.suicide || a.overdose) << Describe(m, a);
  }
}

// ---- Matching details: typos, elisions, word order, limits.

TEST(RiskDetector, OneTypoInALongWordIsTolerated) {
  for (std::string_view m : {"hes not breathign", "she is unrepsonsive", "im sucidal", "no respria", "il respirre pas",
                             "i feel hopelss", "he took fentanil and is acting weird"}) {
    const RiskAssessment a = Assess(m);
    EXPECT_TRUE(a.overdose || a.suicide || a.distress) << Describe(m, a);
  }
}

TEST(RiskDetector, RealWordsListedAsNotTyposAreNotReadAsTypos) {
  for (std::string_view m : {"i'm homeless", "it's a lovely day", "strapped for cash this month"}) {
    const RiskAssessment a = Assess(m);
    EXPECT_FALSE(a.overdose || a.suicide || a.distress) << Describe(m, a);
  }
}

TEST(RiskDetector, FrenchElisionsAreMatchedOnFoldedTokens) {
  for (std::string_view m :
       {"y s'réveille pu", "chu pas capable de l'réveiller", "j'veux pu vivre", "j'en peux pu, j'veux mourir"}) {
    const RiskAssessment a = Assess(m);
    EXPECT_TRUE(a.overdose || a.suicide) << Describe(m, a);
    EXPECT_EQ(a.lang, "fr") << Describe(m, a);
  }
}

TEST(RiskDetector, WordsInBetweenAndEitherOrderAreAllowedWithinTheGap) {
  EXPECT_TRUE(Assess("his lips are really really blue").overdose);
  EXPECT_TRUE(Assess("blue lips").overdose);
  EXPECT_TRUE(Assess("purple on his lips").overdose);
  EXPECT_FALSE(Assess("lips. I went to the store yesterday and bought a blue shirt").overdose);
}

TEST(RiskDetector, AnEmptyMessageRaisesNothing) {
  const RiskAssessment a = Shipped().Assess({});
  EXPECT_FALSE(a.overdose || a.suicide || a.distress);
  EXPECT_TRUE(a.rule.empty() && a.lang.empty() && a.guard.empty());
}

TEST(RiskDetector, OnlyTheFirstMaxTokensAreRead) {
  std::vector<Token> tokens(RiskDetector::kMaxTokens - 2, Token{"ok", false, false});
  tokens.push_back({"not", false, false});
  tokens.push_back({"breathing", false, false});
  EXPECT_TRUE(Shipped().Assess(tokens).overdose);
  tokens.insert(tokens.begin(), Token{"ok", false, false});
  EXPECT_FALSE(Shipped().Assess(tokens).overdose);
}

// ---- Parse() errors name the place.

Status ParseStatus(std::string_view json) {
  auto r = RiskDetector::Parse(json);
  return r.ok() ? Status::Ok() : r.status();
}

void ExpectParseError(std::string_view json, std::string_view place) {
  const Status s = ParseStatus(json);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << json;
  EXPECT_NE(s.message().find(place), std::string::npos) << "message: " << s.message();
}

TEST(RiskDetectorParse, AMinimalTableParses) {
  auto r = RiskDetector::Parse(R"({"concepts": {"b": ["breath*"]},
      "rules": [{"id": "x", "class": "overdose", "lang": "en", "seq": ["not", "@b"]}]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->Assess(Tokenize("not breathing")).overdose);
  EXPECT_EQ(r->Assess(Tokenize("not breathing")).rule, "x");
}

// An emoji term becomes a word of the raw text where the emoji stands (with
// or without U+FE0F, a run of it counting once); other emoji stay separators;
// two emoji in one word are not a term.
TEST(RiskDetectorParse, AnEmojiTermIsAWordOfTheRawText) {
  auto r = RiskDetector::Parse(R"({"concepts": {},
      "rules": [{"id": "x", "class": "suicide", "lang": "en", "seq": ["want", "⚰️|💀"]}]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (std::string_view m : {"want 💀", "want ⚰️", "want \u26B0", "want 💀💀 💀", "i want😭💀", "want 💀 lol",
                             "want \xF0\x9F\x92 💀"}) {  // an invalid sequence separates, as in Tokenize
    EXPECT_TRUE(r->Assess(m, Tokenize(m)).suicide) << m;
  }
  for (std::string_view m : {"want it 💀", "💀 want", "want", "want 😭"}) {
    EXPECT_FALSE(r->Assess(m, Tokenize(m)).suicide) << m;
  }
  ExpectParseError(R"({"concepts": {}, "rules": [{"id": "x", "class": "suicide", "lang": "en", "seq": ["💀💀"]}]})",
                   "has no letters");
}

// A guard silences only rules of its languages ("langs", default its own
// "lang"; a "*" rule is of every language) and, when it lists them, only the
// rules it names ("silences").
TEST(RiskDetectorParse, AGuardSilencesOnlyRulesOfItsLanguagesAndItsList) {
  auto r = RiskDetector::Parse(R"({"concepts": {},
      "rules": [
        {"id": "en_od", "class": "overdose", "lang": "en", "seq": ["overdosed"], "guardable": true},
        {"id": "es_od", "class": "overdose", "lang": "es", "seq": ["sobredosis"], "guardable": true},
        {"id": "any_od", "class": "overdose", "lang": "*", "seq": ["od"], "guardable": true},
        {"id": "en_su", "class": "suicide", "lang": "en", "seq": ["suicidal"], "guardable": true},
        {"id": "en_past", "class": "guard", "lang": "en", "seq": ["ago"], "guards": ["overdose", "suicide"]},
        {"id": "es_past", "class": "guard", "lang": "es", "seq": ["pasado"], "guards": ["overdose"],
         "langs": ["es", "en"]},
        {"id": "en_not", "class": "guard", "lang": "en", "seq": ["not"], "guards": ["overdose", "suicide"],
         "silences": ["en_su"], "side": "before"}]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto od = [&](std::string_view m) { return r->Assess(Tokenize(m)).overdose; };
  EXPECT_FALSE(od("overdosed years ago"));
  EXPECT_FALSE(od("od years ago"));         // "*": every language's guards
  EXPECT_TRUE(od("sobredosis years ago"));  // an English guard, a Spanish sign
  EXPECT_FALSE(od("sobredosis el pasado"));
  EXPECT_FALSE(od("overdosed el pasado"));  // "langs" widens es_past to English rules
  EXPECT_TRUE(od("not overdosed"));         // en_not silences en_su alone
  EXPECT_FALSE(r->Assess(Tokenize("not suicidal")).suicide);
  EXPECT_TRUE(r->Assess(Tokenize("not suicidal")).suicide_silenced);
}

TEST(RiskDetectorParse, AGuardsScopeIsCheckedAndNamesTheGuard) {
  const std::string rules = R"({"id": "en_od", "class": "overdose", "lang": "en", "seq": ["od"], "guardable": true},
        {"id": "en_su", "class": "suicide", "lang": "en", "seq": ["su"], "guardable": true},
        {"id": "es_od", "class": "overdose", "lang": "es", "seq": ["sobredosis"], "guardable": true},)";
  auto with_guard = [&](std::string_view extra) {
    return R"({"concepts": {}, "rules": [)" + rules +
           R"({"id": "en_g", "class": "guard", "lang": "en", "seq": ["ago"], "guards": ["overdose"])" +
           std::string(extra) + "}]}";
  };
  ExpectParseError(with_guard(R"(, "langs": ["de"])"), "(en_g)/langs: expected en, es or fr");
  ExpectParseError(with_guard(R"(, "langs": ["*"])"), "(en_g)/langs: expected en, es or fr");
  ExpectParseError(with_guard(R"(, "langs": [])"), "(en_g)/langs");
  ExpectParseError(with_guard(R"(, "silences": "en_od")"), "(en_g)/silences");
  ExpectParseError(with_guard(R"(, "silences": ["en_nope"])"), "(en_g)/silences: unknown rule 'en_nope'");
  ExpectParseError(with_guard(R"(, "silences": ["en_su"])"), "(en_g)/silences: 'en_su' is not a rule of this");
  ExpectParseError(with_guard(R"(, "silences": ["es_od"])"), "(en_g)/silences: 'es_od' is not a rule of this");
  ExpectParseError(with_guard(R"(, "silences": ["en_g"])"), "(en_g)/silences: 'en_g' is not a rule of this");
  ExpectParseError(R"({"concepts": {}, "rules": [{"id": "en_od", "class": "overdose", "lang": "en", "seq": ["od"],
      "langs": ["en"]}]})",
                   "only guards have");
  EXPECT_TRUE(RiskDetector::Parse(with_guard(R"(, "silences": ["en_od"], "langs": ["en", "es"])")).ok());
  EXPECT_TRUE(RiskDetector::Parse(with_guard(R"(, "silences": ["es_od"], "langs": ["es"])")).ok());
}

TEST(RiskDetectorParse, AnUnknownConceptIsRefusedWithTheRuleAndElement) {
  ExpectParseError(R"({"concepts": {"b": ["breath*"]},
      "rules": [{"id": "en_x", "class": "overdose", "lang": "en", "seq": ["not", "@breath"]}]})",
                   "risk: /rules/0 (en_x)/seq/1: unknown concept '@breath'");
}

TEST(RiskDetectorParse, AnUnknownConceptInAUnionIsRefused) {
  ExpectParseError(R"({"concepts": {"b": ["breath*"]},
      "rules": [{"id": "en_x", "class": "overdose", "lang": "en", "seq": ["not", "@b|@nope|air"]}]})",
                   "risk: /rules/0 (en_x)/seq/1: unknown concept '@nope'");
}

TEST(RiskDetectorParse, APrefixShorterThanThreeLettersIsRefused) {
  ExpectParseError(R"({"concepts": {"b": ["br*"]},
      "rules": [{"id": "x", "class": "overdose", "lang": "en", "seq": ["@b"]}]})",
                   "risk: /concepts/b/0: prefix 'br*' needs at least 3 letters");
  ExpectParseError(R"({"concepts": {},
      "rules": [{"id": "x", "class": "overdose", "lang": "en", "seq": ["not", "ok|br*"]}]})",
                   "risk: /rules/0 (x)/seq/1: prefix 'br*'");
}

TEST(RiskDetectorParse, ARepeatedRuleIdIsRefusedAtTheSecondOne) {
  ExpectParseError(R"({"concepts": {},
      "rules": [{"id": "x", "class": "overdose", "lang": "en", "seq": ["a"]},
                {"id": "x", "class": "suicide", "lang": "en", "seq": ["b"]}]})",
                   "risk: /rules/1 (x): id empty or repeated");
}

TEST(RiskDetectorParse, OtherMistakesAreRefusedWithThePlace) {
  ExpectParseError("{", "risk: malformed JSON at offset");
  ExpectParseError(R"({"rules": []})", "risk: expected an object");
  ExpectParseError(R"({"concepts": {}, "rules": [{"id": "x", "class": "danger", "lang": "en", "seq": ["a"]}]})",
                   "risk: /rules/0 (x)/class: unknown class 'danger'");
  ExpectParseError(R"({"concepts": {}, "rules": [{"id": "x", "class": "overdose", "lang": "de", "seq": ["a"]}]})",
                   "risk: /rules/0 (x)/lang");
  ExpectParseError(R"({"concepts": {}, "rules": [{"id": "x", "class": "overdose", "lang": "en", "seq": []}]})",
                   "risk: /rules/0 (x): \"seq\" must hold 1 to 4 elements");
  ExpectParseError(
      R"({"concepts": {}, "rules": [{"id": "x", "class": "overdose", "lang": "en", "seq": ["a", "b"], "gap": 13}]})",
      "risk: /rules/0 (x)/gap");
  ExpectParseError(R"({"concepts": {}, "rules": [{"id": "g", "class": "guard", "lang": "en", "seq": ["a"]}]})",
                   "risk: /rules/0 (g): a guard needs \"guards\"");
  ExpectParseError(
      R"({"concepts": {}, "rules": [{"id": "g", "class": "guard", "lang": "en", "seq": ["a"], "guards": ["guard"]}]})",
      "risk: /rules/0 (g)/guards: unknown class 'guard'");
  ExpectParseError(
      R"({"concepts": {}, "rules": [{"id": "x", "class": "overdose", "lang": "en", "seq": ["a"], "reach": 2}]})",
      "risk: /rules/0 (x): only guards have");
  ExpectParseError(
      R"({"concepts": {}, "rules": [{"id": "x", "class": "overdose", "lang": "en", "seq": ["a"], "strong": true}]})",
      "risk: /rules/0 (x): only guards have");
  ExpectParseError(
      R"({"concepts": {}, "rules": [{"id": "g", "class": "guard", "lang": "en", "seq": ["a"], "guards": ["overdose"], "strong": 1}]})",
      "risk: /rules/0 (g)/strong");
  ExpectParseError(
      R"({"concepts": {}, "rules": [{"id": "g", "class": "guard", "lang": "en", "seq": ["a"], "guards": ["overdose"], "topic": "joke"}]})",
      "risk: /rules/0 (g)/topic");
  ExpectParseError(
      R"({"concepts": {"unused": ["a"]}, "rules": [{"id": "x", "class": "overdose", "lang": "en", "seq": ["b"]}]})",
      "risk: concept 'unused' is used by no rule");
  ExpectParseError(R"({"concepts": {"a": ["x"], "a": ["y"]}, "rules": []})",
                   "risk: /concepts/a: concept 'a' is defined twice");
}

// Safety round 7 (issue 10): guards narrowed so they cannot hide a real
// sign told next to the same words, and an outranking plan that is itself
// negated gives back the overdose it would have replaced.
TEST(RiskDetector, RoundSevenGuardsAreNarrowAndANegatedPlanGivesTheOverdoseBack) {
  ExpectEach(Want::kOverdose, {"no quiero morir, me tomé demasiadas pastillas y no puedo respirar",
                               "no quiero morir me tome demasiadas pastillas",
                               "im not going to kill myself but i think i overdose now"});
  ExpectEach(
      Want::kSuicide,
      {"me quiero morir, no pienso en otra cosa",
       "mi hija dijo que se quiere quitar la vida, estabamos viendo la novela",
       "i cant get him out of my head lol i want to die", "this is my last text ever, phone is dying",
       "years ago i was fine, now i want to kill myself", "i tried to kill myself tonight and im fine now i guess"});
  ExpectEach(Want::kNoSafety,
             {"i left my jacket at your place, i wont need it till monday",
              "cant get this song out of my head 'took too many pills now i cant breathe' lol its so catchy",
              "la cancion dice 'me quiero morir sin ti' y no la puedo dejar de cantar jaja",
              "back in 2019 i tried to kill myself, im doing ok now. how do i help my brother",
              "hace 5 años intenté suicidarme, hoy estoy bien, busco un grupo para mi hermano",
              "vi una novela donde la protagonista se quiere matar",
              "no estoy pensando en hacerme daño, solo quiero dejar de tomar"});
}

// An apostrophe typed as a space ("i don t want to live", "j ai pris toutes
// mes pilules", "y se réveille pas" typed "y se reveille pas") reads as the
// folded word would; the harmless texts stay harmless.
TEST(RiskDetector, AnApostropheTypedAsASpaceReadsAsTheApostrophe) {
  ExpectEach(Want::kSuicide, {"i don t want to live anymore", "i m going to kill myself",
                              "j ai écrit une lettre d adieu", "je pense qu à mourir",
                              "mon petit-fils m a dit au revoir pis il m a donné sa guitare, "
                              "il a dit qu il serait pus là demain"});
  ExpectEach(Want::kOverdose, {"he won t wake up", "j arrive pas à la réveiller, elle a pris ses pilules avec du vin"});
  ExpectEach(Want::kNoSafety, {"c est correct, je vais bien", "i m fine, just looking for a meeting",
                               "l an dernier j ai arrêté de boire", "it s my sister s birthday"});
}

// A tool for writing rules, not a check (disabled, so ctest never runs it):
//   HELPLINE_RISK_EXPLAIN=FILE risk_detector_test --gtest_also_run_disabled_tests \
//     --gtest_filter='*DISABLED_Explain*'
// prints the assessment of every line of FILE (the deciding rule and the guard).
TEST(RiskDetector, DISABLED_ExplainEachLineOfAFile) {
  const char* path = std::getenv("HELPLINE_RISK_EXPLAIN");
  ASSERT_NE(path, nullptr) << "set HELPLINE_RISK_EXPLAIN to a file of messages, one per line";
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << path;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) std::printf("%s\n", Describe(line, Assess(line)).c_str());
  }
}

}  // namespace
}  // namespace helpline::engine
