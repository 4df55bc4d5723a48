// The city table and its lookups (see places.h).
//
// Which cities, and why
// ---------------------
// For every state and province: its largest cities (at least three where
// three survive the rules below), plus well-known smaller ones people name
// (university towns, county seats of large metro areas); for each territory
// its capital and largest towns; for Puerto Rico its largest municipalities.
// Populations are 2020-21 census figures (US Census, Statistics Canada).
//
// 1. A city whose name is also a common first name or an everyday word is
//    left out: "my son austin" must not move a sender to Texas, nor "the
//    mobile crisis team" to Alabama. Left out for that reason, among the
//    largest: Phoenix, Mesa, Chandler, Gilbert (AZ); Aurora, Boulder, Pueblo
//    (CO); Orlando (FL); Augusta, Savannah (GA); Gary, Carmel, Fishers (IN);
//    Lawrence (KS); Monroe (LA); Augusta (ME); Frederick (MD); Quincy, Lynn
//    (MA); Warren, Troy (MI); Jackson (MS); Independence (MO); Helena, Butte
//    (MT); Lincoln (NE); Henderson, Sparks (NV); Elizabeth, Edison (NJ);
//    Charlotte, Cary (NC); Norman, Edmond, Moore (OK); Eugene, Bend (OR);
//    Reading (PA); Florence (SC); Pierre, Mitchell (SD); Franklin (TN);
//    Austin, Irving, Garland, Amarillo, Mesquite, Tyler (TX); Sandy, Logan
//    (UT); Alexandria (VA); Kent, Everett (WA); Wheeling (WV); Madison (WI);
//    Cheyenne, Casper (WY); Carolina (PR); Delta, Victoria, Vernon (BC);
//    Brandon, Thompson (MB); Sydney (NS); Regina (SK); Paradise, Gander (NL);
//    Ajax (ON); Mirabel, Alma (QC). Left out as everyday phrases: High Point
//    (NC: "the high point"), State College (PA), Hampton (VA: the hotel
//    chain), Bathurst (NB: a Toronto street), Skid Row, GTA (the game).
//    "Victoria BC" or "Regina, Sask." still works: the province written
//    after it is read on its own.
//    Those names still count where the words around them say a place is
//    meant (rule 5).
// 2. A name several states or provinces share goes to the largest namesake
//    if it is at least twice the size of every other one: "portland" is
//    Oregon (652k; Maine's 68k), "columbus" Ohio (905k; Georgia's 206k),
//    "kansas city" Missouri (508k; Kansas's 156k), "vancouver" British
//    Columbia (662k; Washington's 190k), "burlington" Ontario (186k;
//    Vermont's 45k), "newark" New Jersey. Otherwise it is a shared name
//    (region ""), which says nothing alone but lets a state written after it
//    count ("Springfield IL", "Richmond, Virginia", "London ON"): springfield
//    (MO 169k, MA 155k, IL 114k), richmond (VA 226k, BC 209k, CA 116k),
//    rochester (NY 211k, MN 121k), wilmington (NC 115k, DE 71k), dover (DE,
//    NH), columbia (SC, MO, MD), arlington (TX, VA), glendale (AZ, CA),
//    pasadena (TX, CA), peoria (AZ, IL), lafayette (LA, IN), cambridge (ON,
//    MA), waterloo (ON, IA), kingston (ON, NY, Jamaica), london (ON, England),
//    hamilton (ON, OH, a surname), windsor (ON, England, CT), surrey (BC,
//    England), albany (NY, GA, OR), greenville (NC, SC), bloomington (MN, IN,
//    IL), lakewood (CO, NJ, CA), manchester (NH 115k, CT 59k), durham (NC,
//    and Ontario's Durham Region), saint jean (Saint-Jean-sur-Richelieu, QC, and
//    Saint John, NB, whose French name it is). Delaware's three largest
//    (Wilmington, Dover, Newark) all fall under this rule.
// 3. Canadian saints are told apart by spelling, as people write them:
//    "St. John's" (apostrophe s) is Newfoundland's capital, "Saint John" (no
//    s) New Brunswick's largest city.
// 4. Street, county and lake names are the resolver's business: "Michigan
//    Ave", "Orange County" and "Lake Erie" are not places (region_resolver.cc).
// 5. Word-like cities (kWordLikePlaces): the names rule 1 leaves out, where
//    the city is large (50,000 people or more, GeoNames populations in
//    data/geo/cities.tsv) and at least twice every namesake in the US and
//    Canada, count only where the resolver sees a place is meant: after "in",
//    "near", "en", "cerca de", "près de" and the like ("naloxone in phoenix",
//    "rehab near austin"), or when everything else in the message is a
//    keyword ("NARCAN PHOENIX", "help orlando"). "my son austin" stays a
//    son. Left out even so: names that are everyday phrases after "in"
//    (Reading: "interested in reading"; Delta: "delta 8"; Paradise), names a
//    larger place abroad or an airport takes (Sydney, Logan), and names
//    whose largest namesake is not a city people mean (Brandon, FL, a
//    census-designated place).
// 6. Smaller towns people text from, and Québec's regions: towns of a few
//    thousand that are the centre of their area (Caraquet and the Acadian
//    Peninsula, Hawkesbury, Val-d'Or written "val d or", Kapuskasing, Fort St.
//    John, La Ronge) and the regions of Québec named as a home ("en
//    Gaspésie", "l'Abitibi", "la Côte-Nord", "l'Outaouais", "la Beauce",
//    whose centre is written "Saint-Georges de Beauce": "Saint-Georges" alone
//    is also St. George, Utah), each only where
//    the name is one province's alone; a name other provinces or states
//    share with a town as large is left out (Sackville NB/NS, Yarmouth NS/MA,
//    Amherst NS/MA/NY, Stratford PE/ON, Cornwall ON/PE/England, Lloydminster
//    on the AB/SK line, Stephenville NL/TX, Grand Falls NB/NL).

#include "daemon/engine/places.h"

#include <algorithm>
#include <array>
#include <cstddef>

namespace helpline::engine {
namespace {

constexpr std::string_view kShared = "";

// Grouped by region for review; sorted at compile time below.
// clang-format off
constexpr Place kPlacesByRegion[] = {
    // United States.
    {"huntsville", "US-AL"}, {"birmingham", "US-AL"}, {"montgomery", "US-AL"}, {"tuscaloosa", "US-AL"},
    {"anchorage", "US-AK"}, {"fairbanks", "US-AK"}, {"juneau", "US-AK"}, {"wasilla", "US-AK"},
    {"tucson", "US-AZ"}, {"scottsdale", "US-AZ"}, {"tempe", "US-AZ"}, {"flagstaff", "US-AZ"},
    {"yuma", "US-AZ"},
    {"little rock", "US-AR"}, {"fort smith", "US-AR"}, {"springdale", "US-AR"}, {"jonesboro", "US-AR"},
    {"los angeles", "US-CA"}, {"l a", "US-CA"}, {"san diego", "US-CA"}, {"san jose", "US-CA"},
    {"san francisco", "US-CA"}, {"san fran", "US-CA"}, {"fresno", "US-CA"}, {"sacramento", "US-CA"},
    {"long beach", "US-CA"}, {"oakland", "US-CA"}, {"bakersfield", "US-CA"}, {"anaheim", "US-CA"},
    {"santa ana", "US-CA"}, {"riverside", "US-CA"}, {"stockton", "US-CA"}, {"irvine", "US-CA"},
    {"chula vista", "US-CA"}, {"fremont", "US-CA"}, {"san bernardino", "US-CA"}, {"modesto", "US-CA"},
    {"oxnard", "US-CA"}, {"santa clarita", "US-CA"}, {"santa rosa", "US-CA"}, {"bay area", "US-CA"},
    {"socal", "US-CA"}, {"norcal", "US-CA"},
    {"denver", "US-CO"}, {"colorado springs", "US-CO"}, {"fort collins", "US-CO"}, {"arvada", "US-CO"},
    {"greeley", "US-CO"}, {"grand junction", "US-CO"},
    {"bridgeport", "US-CT"}, {"stamford", "US-CT"}, {"new haven", "US-CT"}, {"hartford", "US-CT"},
    {"waterbury", "US-CT"},
    {"rehoboth beach", "US-DE"}, {"lewes", "US-DE"}, {"dewey beach", "US-DE"},
    {"jacksonville", "US-FL"}, {"miami", "US-FL"}, {"tampa", "US-FL"}, {"st petersburg", "US-FL"},
    {"saint petersburg", "US-FL"}, {"st pete", "US-FL"}, {"hialeah", "US-FL"}, {"tallahassee", "US-FL"},
    {"fort lauderdale", "US-FL"}, {"ft lauderdale", "US-FL"}, {"port st lucie", "US-FL"},
    {"cape coral", "US-FL"}, {"gainesville", "US-FL"}, {"pensacola", "US-FL"}, {"daytona beach", "US-FL"},
    {"sarasota", "US-FL"}, {"fort myers", "US-FL"}, {"west palm beach", "US-FL"}, {"boca raton", "US-FL"},
    {"key west", "US-FL"},
    {"atlanta", "US-GA"}, {"macon", "US-GA"}, {"athens", "US-GA"}, {"sandy springs", "US-GA"},
    {"honolulu", "US-HI"}, {"hilo", "US-HI"}, {"kailua", "US-HI"}, {"pearl city", "US-HI"},
    {"maui", "US-HI"}, {"oahu", "US-HI"},
    {"boise", "US-ID"}, {"meridian", "US-ID"}, {"nampa", "US-ID"}, {"idaho falls", "US-ID"},
    {"pocatello", "US-ID"}, {"coeur dalene", "US-ID"},
    {"chicago", "US-IL"}, {"joliet", "US-IL"}, {"naperville", "US-IL"}, {"rockford", "US-IL"},
    {"elgin", "US-IL"}, {"champaign", "US-IL"}, {"evanston", "US-IL"}, {"waukegan", "US-IL"},
    {"indianapolis", "US-IN"}, {"indy", "US-IN"}, {"fort wayne", "US-IN"}, {"evansville", "US-IN"},
    {"south bend", "US-IN"}, {"muncie", "US-IN"}, {"terre haute", "US-IN"}, {"kokomo", "US-IN"},
    {"des moines", "US-IA"}, {"cedar rapids", "US-IA"}, {"davenport", "US-IA"}, {"sioux city", "US-IA"},
    {"iowa city", "US-IA"}, {"dubuque", "US-IA"}, {"council bluffs", "US-IA"},
    {"wichita", "US-KS"}, {"overland park", "US-KS"}, {"olathe", "US-KS"}, {"topeka", "US-KS"},
    {"kck", "US-KS"},
    {"louisville", "US-KY"}, {"lexington", "US-KY"}, {"bowling green", "US-KY"}, {"owensboro", "US-KY"},
    {"frankfort", "US-KY"},
    {"new orleans", "US-LA"}, {"nueva orleans", "US-LA"}, {"nouvelle orleans", "US-LA"},
    {"nola", "US-LA"}, {"baton rouge", "US-LA"}, {"shreveport", "US-LA"}, {"lake charles", "US-LA"},
    {"kenner", "US-LA"}, {"bossier city", "US-LA"}, {"metairie", "US-LA"},
    {"bangor", "US-ME"}, {"south portland", "US-ME"}, {"biddeford", "US-ME"}, {"saco", "US-ME"},
    {"baltimore", "US-MD"}, {"rockville", "US-MD"}, {"gaithersburg", "US-MD"}, {"annapolis", "US-MD"},
    {"hagerstown", "US-MD"}, {"silver spring", "US-MD"},
    {"boston", "US-MA"}, {"worcester", "US-MA"}, {"lowell", "US-MA"}, {"brockton", "US-MA"},
    {"new bedford", "US-MA"}, {"fall river", "US-MA"}, {"cape cod", "US-MA"},
    {"detroit", "US-MI"}, {"grand rapids", "US-MI"}, {"sterling heights", "US-MI"}, {"ann arbor", "US-MI"},
    {"lansing", "US-MI"}, {"flint", "US-MI"}, {"dearborn", "US-MI"}, {"kalamazoo", "US-MI"},
    {"saginaw", "US-MI"}, {"traverse city", "US-MI"},
    {"minneapolis", "US-MN"}, {"st paul", "US-MN"}, {"saint paul", "US-MN"}, {"twin cities", "US-MN"},
    {"duluth", "US-MN"}, {"st cloud", "US-MN"}, {"saint cloud", "US-MN"}, {"brooklyn park", "US-MN"},
    {"gulfport", "US-MS"}, {"southaven", "US-MS"}, {"hattiesburg", "US-MS"}, {"biloxi", "US-MS"},
    {"tupelo", "US-MS"},
    {"kansas city", "US-MO"}, {"st louis", "US-MO"}, {"saint louis", "US-MO"}, {"lees summit", "US-MO"},
    {"joplin", "US-MO"}, {"jefferson city", "US-MO"}, {"branson", "US-MO"},
    {"billings", "US-MT"}, {"missoula", "US-MT"}, {"great falls", "US-MT"}, {"bozeman", "US-MT"},
    {"kalispell", "US-MT"},
    {"omaha", "US-NE"}, {"grand island", "US-NE"}, {"kearney", "US-NE"}, {"north platte", "US-NE"},
    {"las vegas", "US-NV"}, {"vegas", "US-NV"}, {"north las vegas", "US-NV"}, {"reno", "US-NV"},
    {"carson city", "US-NV"},
    {"nashua", "US-NH"}, {"keene", "US-NH"}, {"laconia", "US-NH"},
    {"newark", "US-NJ"}, {"jersey city", "US-NJ"}, {"paterson", "US-NJ"}, {"toms river", "US-NJ"},
    {"trenton", "US-NJ"}, {"camden", "US-NJ"}, {"atlantic city", "US-NJ"}, {"hoboken", "US-NJ"},
    {"albuquerque", "US-NM"}, {"las cruces", "US-NM"}, {"rio rancho", "US-NM"}, {"santa fe", "US-NM"},
    {"new york city", "US-NY"}, {"nyc", "US-NY"}, {"buffalo", "US-NY"},
    {"yonkers", "US-NY"}, {"syracuse", "US-NY"}, {"brooklyn", "US-NY"}, {"bronx", "US-NY"},
    {"queens", "US-NY"}, {"manhattan", "US-NY"}, {"staten island", "US-NY"}, {"long island", "US-NY"},
    {"harlem", "US-NY"}, {"utica", "US-NY"}, {"schenectady", "US-NY"}, {"binghamton", "US-NY"},
    {"ithaca", "US-NY"},
    {"raleigh", "US-NC"}, {"greensboro", "US-NC"}, {"winston salem", "US-NC"},
    {"fayetteville", "US-NC"}, {"asheville", "US-NC"}, {"chapel hill", "US-NC"},
    {"fargo", "US-ND"}, {"bismarck", "US-ND"}, {"grand forks", "US-ND"}, {"minot", "US-ND"},
    {"columbus", "US-OH"}, {"cleveland", "US-OH"}, {"cincinnati", "US-OH"}, {"toledo", "US-OH"},
    {"akron", "US-OH"}, {"dayton", "US-OH"}, {"youngstown", "US-OH"},
    {"oklahoma city", "US-OK"}, {"okc", "US-OK"}, {"tulsa", "US-OK"}, {"broken arrow", "US-OK"},
    {"lawton", "US-OK"}, {"stillwater", "US-OK"},
    {"portland", "US-OR"}, {"pdx", "US-OR"}, {"salem", "US-OR"}, {"gresham", "US-OR"},
    {"hillsboro", "US-OR"}, {"beaverton", "US-OR"}, {"corvallis", "US-OR"},
    {"philadelphia", "US-PA"}, {"philly", "US-PA"}, {"filadelfia", "US-PA"}, {"philadelphie", "US-PA"},
    {"pittsburgh", "US-PA"}, {"allentown", "US-PA"}, {"erie", "US-PA"}, {"scranton", "US-PA"},
    {"bethlehem", "US-PA"}, {"harrisburg", "US-PA"}, {"wilkes barre", "US-PA"},
    {"providence", "US-RI"}, {"warwick", "US-RI"}, {"cranston", "US-RI"}, {"pawtucket", "US-RI"},
    {"woonsocket", "US-RI"},
    {"charleston", "US-SC"}, {"north charleston", "US-SC"}, {"mount pleasant", "US-SC"},
    {"rock hill", "US-SC"}, {"myrtle beach", "US-SC"}, {"spartanburg", "US-SC"}, {"hilton head", "US-SC"},
    {"sioux falls", "US-SD"}, {"rapid city", "US-SD"}, {"brookings", "US-SD"},
    {"nashville", "US-TN"}, {"memphis", "US-TN"}, {"knoxville", "US-TN"}, {"chattanooga", "US-TN"},
    {"clarksville", "US-TN"}, {"murfreesboro", "US-TN"}, {"johnson city", "US-TN"},
    {"houston", "US-TX"}, {"san antonio", "US-TX"}, {"dallas", "US-TX"}, {"fort worth", "US-TX"},
    {"el paso", "US-TX"}, {"corpus christi", "US-TX"}, {"plano", "US-TX"}, {"laredo", "US-TX"},
    {"lubbock", "US-TX"}, {"mckinney", "US-TX"}, {"grand prairie", "US-TX"}, {"brownsville", "US-TX"},
    {"killeen", "US-TX"}, {"mcallen", "US-TX"}, {"waco", "US-TX"}, {"midland", "US-TX"},
    {"odessa", "US-TX"}, {"beaumont", "US-TX"}, {"round rock", "US-TX"}, {"abilene", "US-TX"},
    {"galveston", "US-TX"},
    {"salt lake city", "US-UT"}, {"slc", "US-UT"}, {"west valley city", "US-UT"}, {"west jordan", "US-UT"},
    {"provo", "US-UT"}, {"orem", "US-UT"}, {"ogden", "US-UT"}, {"park city", "US-UT"},
    {"south burlington", "US-VT"}, {"rutland", "US-VT"}, {"montpelier", "US-VT"}, {"brattleboro", "US-VT"},
    {"bennington", "US-VT"},
    {"virginia beach", "US-VA"}, {"chesapeake", "US-VA"}, {"norfolk", "US-VA"}, {"newport news", "US-VA"},
    {"roanoke", "US-VA"}, {"portsmouth", "US-VA"}, {"lynchburg", "US-VA"},
    {"charlottesville", "US-VA"}, {"fairfax", "US-VA"}, {"harrisonburg", "US-VA"},
    {"seattle", "US-WA"}, {"spokane", "US-WA"}, {"tacoma", "US-WA"}, {"bellevue", "US-WA"},
    {"renton", "US-WA"}, {"yakima", "US-WA"}, {"federal way", "US-WA"}, {"bellingham", "US-WA"},
    {"kennewick", "US-WA"}, {"olympia", "US-WA"},
    {"morgantown", "US-WV"}, {"parkersburg", "US-WV"}, {"weirton", "US-WV"}, {"fairmont", "US-WV"},
    {"martinsburg", "US-WV"}, {"beckley", "US-WV"},
    {"milwaukee", "US-WI"}, {"green bay", "US-WI"}, {"kenosha", "US-WI"}, {"racine", "US-WI"},
    {"appleton", "US-WI"}, {"waukesha", "US-WI"}, {"eau claire", "US-WI"}, {"oshkosh", "US-WI"},
    {"la crosse", "US-WI"},
    {"laramie", "US-WY"}, {"gillette", "US-WY"}, {"rock springs", "US-WY"}, {"jackson hole", "US-WY"},
    {"san juan", "US-PR"}, {"bayamon", "US-PR"}, {"ponce", "US-PR"}, {"caguas", "US-PR"},
    {"guaynabo", "US-PR"}, {"mayaguez", "US-PR"}, {"arecibo", "US-PR"},
    {"charlotte amalie", "US-VI"}, {"hagatna", "US-GU"}, {"pago pago", "US-AS"}, {"saipan", "US-MP"},

    // Canada.
    {"calgary", "CA-AB"}, {"edmonton", "CA-AB"}, {"red deer", "CA-AB"}, {"lethbridge", "CA-AB"},
    {"st albert", "CA-AB"}, {"saint albert", "CA-AB"}, {"medicine hat", "CA-AB"},
    {"grande prairie", "CA-AB"}, {"airdrie", "CA-AB"}, {"fort mcmurray", "CA-AB"}, {"fort mac", "CA-AB"},
    {"sherwood park", "CA-AB"}, {"spruce grove", "CA-AB"}, {"okotoks", "CA-AB"}, {"canmore", "CA-AB"},
    {"cold lake", "CA-AB"}, {"camrose", "CA-AB"}, {"wetaskiwin", "CA-AB"}, {"slave lake", "CA-AB"},
    {"bonnyville", "CA-AB"},
    {"vancouver", "CA-BC"}, {"north vancouver", "CA-BC"}, {"burnaby", "CA-BC"}, {"abbotsford", "CA-BC"},
    {"coquitlam", "CA-BC"}, {"kelowna", "CA-BC"}, {"saanich", "CA-BC"}, {"langley", "CA-BC"},
    {"nanaimo", "CA-BC"}, {"kamloops", "CA-BC"}, {"prince george", "CA-BC"}, {"chilliwack", "CA-BC"},
    {"maple ridge", "CA-BC"}, {"new westminster", "CA-BC"}, {"penticton", "CA-BC"},
    {"downtown eastside", "CA-BC"}, {"dtes", "CA-BC"},
    {"prince rupert", "CA-BC"}, {"fort st john", "CA-BC"}, {"fort saint john", "CA-BC"},
    {"dawson creek", "CA-BC"}, {"williams lake", "CA-BC"}, {"quesnel", "CA-BC"}, {"cranbrook", "CA-BC"},
    {"campbell river", "CA-BC"}, {"port alberni", "CA-BC"}, {"squamish", "CA-BC"}, {"powell river", "CA-BC"},
    {"salmon arm", "CA-BC"}, {"port coquitlam", "CA-BC"},
    {"winnipeg", "CA-MB"}, {"steinbach", "CA-MB"}, {"portage la prairie", "CA-MB"}, {"winkler", "CA-MB"},
    {"flin flon", "CA-MB"},
    {"morden", "CA-MB"}, {"norway house", "CA-MB"},
    {"moncton", "CA-NB"}, {"saint john", "CA-NB"}, {"st john", "CA-NB"}, {"fredericton", "CA-NB"},
    {"dieppe", "CA-NB"}, {"miramichi", "CA-NB"}, {"edmundston", "CA-NB"},
    {"caraquet", "CA-NB"}, {"shippagan", "CA-NB"}, {"tracadie", "CA-NB"}, {"tracadie sheila", "CA-NB"},
    {"campbellton", "CA-NB"}, {"shediac", "CA-NB"}, {"bouctouche", "CA-NB"}, {"quispamsis", "CA-NB"},
    {"oromocto", "CA-NB"}, {"grand sault", "CA-NB"}, {"peninsule acadienne", "CA-NB"},
    {"st johns", "CA-NL"}, {"saint johns", "CA-NL"}, {"conception bay south", "CA-NL"},
    {"mount pearl", "CA-NL"}, {"corner brook", "CA-NL"}, {"grand falls windsor", "CA-NL"},
    {"goose bay", "CA-NL"}, {"happy valley goose bay", "CA-NL"},
    {"labrador city", "CA-NL"}, {"clarenville", "CA-NL"}, {"marystown", "CA-NL"}, {"port aux basques", "CA-NL"},
    {"halifax", "CA-NS"}, {"dartmouth", "CA-NS"}, {"cape breton", "CA-NS"}, {"truro", "CA-NS"},
    {"new glasgow", "CA-NS"}, {"antigonish", "CA-NS"}, {"wolfville", "CA-NS"},
    {"glace bay", "CA-NS"}, {"kentville", "CA-NS"}, {"lower sackville", "CA-NS"}, {"cole harbour", "CA-NS"},
    {"port hawkesbury", "CA-NS"},
    {"yellowknife", "CA-NT"}, {"hay river", "CA-NT"}, {"inuvik", "CA-NT"},
    {"fort simpson", "CA-NT"},
    {"iqaluit", "CA-NU"}, {"rankin inlet", "CA-NU"}, {"arviat", "CA-NU"}, {"cambridge bay", "CA-NU"},
    {"pond inlet", "CA-NU"}, {"igloolik", "CA-NU"},
    {"toronto", "CA-ON"}, {"ottawa", "CA-ON"}, {"mississauga", "CA-ON"},
    {"brampton", "CA-ON"}, {"markham", "CA-ON"}, {"vaughan", "CA-ON"}, {"kitchener", "CA-ON"},
    {"richmond hill", "CA-ON"}, {"oakville", "CA-ON"}, {"burlington", "CA-ON"}, {"oshawa", "CA-ON"},
    {"barrie", "CA-ON"}, {"st catharines", "CA-ON"}, {"saint catharines", "CA-ON"}, {"guelph", "CA-ON"},
    {"thunder bay", "CA-ON"}, {"sudbury", "CA-ON"}, {"sault ste marie", "CA-ON"},
    {"sault sainte marie", "CA-ON"}, {"peterborough", "CA-ON"}, {"sarnia", "CA-ON"},
    {"north bay", "CA-ON"}, {"timmins", "CA-ON"}, {"brantford", "CA-ON"}, {"whitby", "CA-ON"},
    {"kenora", "CA-ON"}, {"scarborough", "CA-ON"}, {"etobicoke", "CA-ON"}, {"north york", "CA-ON"},
    {"hawkesbury", "CA-ON"}, {"kapuskasing", "CA-ON"}, {"hearst", "CA-ON"}, {"kirkland lake", "CA-ON"},
    {"elliot lake", "CA-ON"}, {"sturgeon falls", "CA-ON"}, {"orillia", "CA-ON"}, {"owen sound", "CA-ON"},
    {"cobourg", "CA-ON"}, {"brockville", "CA-ON"}, {"sioux lookout", "CA-ON"}, {"fort frances", "CA-ON"},
    {"moosonee", "CA-ON"}, {"welland", "CA-ON"}, {"muskoka", "CA-ON"},
    {"charlottetown", "CA-PE"}, {"summerside", "CA-PE"},
    {"montreal", "CA-QC"}, {"mtl", "CA-QC"}, {"quebec city", "CA-QC"}, {"ville de quebec", "CA-QC"},
    {"laval", "CA-QC"}, {"gatineau", "CA-QC"}, {"longueuil", "CA-QC"}, {"sherbrooke", "CA-QC"},
    {"saguenay", "CA-QC"}, {"chicoutimi", "CA-QC"}, {"levis", "CA-QC"}, {"trois rivieres", "CA-QC"},
    {"terrebonne", "CA-QC"}, {"saint jean sur richelieu", "CA-QC"}, {"st jean sur richelieu", "CA-QC"},
    {"repentigny", "CA-QC"}, {"drummondville", "CA-QC"}, {"saint jerome", "CA-QC"},
    {"st jerome", "CA-QC"}, {"granby", "CA-QC"}, {"brossard", "CA-QC"}, {"saint hyacinthe", "CA-QC"},
    {"st hyacinthe", "CA-QC"}, {"shawinigan", "CA-QC"}, {"rimouski", "CA-QC"}, {"victoriaville", "CA-QC"},
    {"rouyn noranda", "CA-QC"}, {"val dor", "CA-QC"}, {"sept iles", "CA-QC"}, {"baie comeau", "CA-QC"},
    // Smaller towns (rule 6), by area. Abitibi and the north:
    {"val d or", "CA-QC"}, {"valdor", "CA-QC"}, {"chibougamau", "CA-QC"},
    // Gaspésie, Bas-Saint-Laurent and the islands:
    {"gaspe", "CA-QC"}, {"matane", "CA-QC"}, {"riviere du loup", "CA-QC"}, {"iles de la madeleine", "CA-QC"},
    // Lac-Saint-Jean, Mauricie, Laurentides:
    {"roberval", "CA-QC"}, {"dolbeau mistassini", "CA-QC"}, {"la tuque", "CA-QC"}, {"mont laurier", "CA-QC"},
    // Lanaudière, Estrie, Chaudière-Appalaches, the Montréal suburbs:
    {"joliette", "CA-QC"}, {"magog", "CA-QC"}, {"thetford mines", "CA-QC"}, {"chateauguay", "CA-QC"},
    {"blainville", "CA-QC"}, {"mascouche", "CA-QC"}, {"saint georges de beauce", "CA-QC"},
    {"st georges de beauce", "CA-QC"},
    // Regions of Québec people name as where they live (rule 6): Gaspésie, Abitibi, Lac-Saint-Jean, Côte-Nord.
    {"gaspesie", "CA-QC"}, {"abitibi", "CA-QC"}, {"lac saint jean", "CA-QC"}, {"lac st jean", "CA-QC"},
    {"cote nord", "CA-QC"}, {"beauce", "CA-QC"},
    // Outaouais, Mauricie, Estrie, Montérégie, Laurentides, Lanaudière, Bas-Saint-Laurent.
    {"outaouais", "CA-QC"}, {"mauricie", "CA-QC"}, {"estrie", "CA-QC"}, {"monteregie", "CA-QC"},
    {"laurentides", "CA-QC"}, {"lanaudiere", "CA-QC"}, {"bas saint laurent", "CA-QC"},
    {"saskatoon", "CA-SK"}, {"prince albert", "CA-SK"}, {"moose jaw", "CA-SK"}, {"swift current", "CA-SK"},
    {"yorkton", "CA-SK"}, {"north battleford", "CA-SK"},
    {"estevan", "CA-SK"}, {"weyburn", "CA-SK"}, {"la ronge", "CA-SK"}, {"melfort", "CA-SK"},
    {"whitehorse", "CA-YT"}, {"dawson city", "CA-YT"},
    {"watson lake", "CA-YT"},

    // Names several regions share with no clear largest (rule 2 above).
    {"springfield", kShared}, {"richmond", kShared}, {"rochester", kShared}, {"wilmington", kShared},
    {"dover", kShared}, {"columbia", kShared}, {"arlington", kShared}, {"glendale", kShared},
    {"pasadena", kShared}, {"peoria", kShared}, {"lafayette", kShared}, {"cambridge", kShared},
    {"waterloo", kShared}, {"kingston", kShared}, {"london", kShared}, {"hamilton", kShared},
    {"windsor", kShared}, {"surrey", kShared}, {"albany", kShared}, {"greenville", kShared},
    {"bloomington", kShared}, {"lakewood", kShared}, {"saint jean", kShared}, {"st jean", kShared},
    {"manchester", kShared}, {"durham", kShared},
};
// clang-format on

// Rule 5: word-like cities, counted only where a place is clearly meant.
// clang-format off
constexpr Place kWordLikePlaces[] = {
    {"alexandria", "US-VA"}, {"amarillo", "US-TX"}, {"austin", "US-TX"}, {"boulder", "US-CO"},
    {"carmel", "US-IN"}, {"cary", "US-NC"}, {"casper", "US-WY"}, {"chandler", "US-AZ"},
    {"charlotte", "US-NC"}, {"cheyenne", "US-WY"}, {"edison", "US-NJ"}, {"edmond", "US-OK"},
    {"elizabeth", "US-NJ"}, {"eugene", "US-OR"}, {"everett", "US-WA"}, {"fishers", "US-IN"},
    {"frederick", "US-MD"}, {"garland", "US-TX"}, {"gary", "US-IN"}, {"gilbert", "US-AZ"},
    {"henderson", "US-NV"}, {"independence", "US-MO"}, {"irving", "US-TX"}, {"jackson", "US-MS"},
    {"kent", "US-WA"}, {"lincoln", "US-NE"}, {"lynn", "US-MA"}, {"madison", "US-WI"},
    {"mesa", "US-AZ"}, {"mesquite", "US-TX"}, {"moore", "US-OK"}, {"norman", "US-OK"},
    {"orlando", "US-FL"}, {"phoenix", "US-AZ"}, {"pueblo", "US-CO"}, {"quincy", "US-MA"},
    {"regina", "CA-SK"}, {"sandy", "US-UT"}, {"savannah", "US-GA"}, {"sparks", "US-NV"},
    {"tyler", "US-TX"}, {"victoria", "CA-BC"}, {"warren", "US-MI"}, {"ajax", "CA-ON"},
    {"bend", "US-OR"},
};
// clang-format on

constexpr std::size_t kCount = std::size(kPlacesByRegion);

constexpr std::array<Place, kCount> kPlaces = [] {
  std::array<Place, kCount> sorted{};
  std::copy(std::begin(kPlacesByRegion), std::end(kPlacesByRegion), sorted.begin());
  std::sort(sorted.begin(), sorted.end(), [](const Place& a, const Place& b) { return a.name < b.name; });
  return sorted;
}();

constexpr bool Valid() {
  for (std::size_t i = 0; i < kPlaces.size(); ++i) {
    const Place& p = kPlaces[i];
    if (i > 0 && kPlaces[i - 1].name == p.name) return false;  // listed twice
    if (p.name.empty() || p.name.front() == ' ' || p.name.back() == ' ') return false;
    for (std::size_t k = 0; k < p.name.size(); ++k) {
      const char c = p.name[k];
      const bool folded = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == ' ' && p.name[k - 1] != ' ');
      if (!folded) return false;
    }
    if (!p.region.empty() && (p.region.size() != 5 || p.region[2] != '-')) return false;
  }
  return true;
}
static_assert(Valid(), "place names must be folded (a-z, 0-9, single spaces), listed once, with a subdivision or \"\"");

// A word-like city is never also in the main table (it would count anywhere).
constexpr bool WordLikeApart() {
  for (const Place& w : kWordLikePlaces) {
    if (w.region.empty()) return false;
    for (const Place& p : kPlaces) {
      if (p.name == w.name) return false;
    }
  }
  return true;
}
static_assert(WordLikeApart(), "a word-like city has a region and is not in kPlacesByRegion");

const Place* Find(std::string_view folded_name) {
  auto it = std::lower_bound(kPlaces.begin(), kPlaces.end(), folded_name,
                             [](const Place& p, std::string_view n) { return p.name < n; });
  if (it == kPlaces.end() || it->name != folded_name) return nullptr;
  return &*it;
}

}  // namespace

std::optional<std::string_view> RegionForPlace(std::string_view folded_name) {
  const Place* place = Find(folded_name);
  if (place == nullptr || place->region.empty()) return std::nullopt;
  return place->region;
}

bool IsSharedPlaceName(std::string_view folded_name) {
  const Place* place = Find(folded_name);
  return place != nullptr && place->region.empty();
}

std::optional<std::string_view> RegionForWordLikePlace(std::string_view folded_name) {
  for (const Place& w : kWordLikePlaces) {
    if (w.name == folded_name) return w.region;
  }
  return std::nullopt;
}

std::span<const Place> AllPlaces() { return kPlaces; }

std::span<const Place> WordLikePlaces() { return kWordLikePlaces; }

}  // namespace helpline::engine
