"""Words of Meta's answers that red-team pass 17 found the recipe could not read, each as a person
would see it: thanks that say the request now applies or that the objection will be honoured,
"you've already objected", a link still to open in the email, a code no longer valid with a newer
one sent. Each row also holds its opposite where one is easy to write: a refusal, a code prompt or
an "already" that must not be read as thanks."""

import pytest
from playwright.sync_api import Browser, Page

from conftest import OBJECTION_TITLE, make_run
from optout_bot import flow, recipe

IG = recipe.load("instagram")
FORM_URL = "https://help.instagram.com/contact/1085632098765432"


@pytest.fixture(scope="module")
def page(browser: Browser):
    """One page for the module: each answer is a new document in it (a fresh page costs a second or
    so, mostly compiling the recipe's patterns in it again)."""
    context = browser.new_context()
    yield context.new_page()
    context.close()


def answer(page: Page, lang: str, heading: str, text: str, stage: str = "code") -> str | None:
    """What the bot makes of Meta's answer: a React-style heading and text swapped in where the
    form or code step was (the shape rt17 used), in a page of language `lang`."""
    body = (f"<div role='heading' aria-level='2'><span>{heading}</span></div>" if heading else "") + f"<div><span>{text}</span></div>"

    def handle(route):
        route.fulfill(status=200, content_type="text/html; charset=utf-8",
                      body=f"<html lang='{lang}'><title>{OBJECTION_TITLE}</title><body>{body}</body></html>")

    page.unroute("https://help.instagram.com/**")
    page.route("https://help.instagram.com/**", handle)
    page.goto(FORM_URL)
    return flow.classify_after(page, make_run(), stage, [page.locator("#gone")], posted=True, stale_errors=True)


# --- 1. "This means your request will apply from now on to ..." and "your objection will be honoured"

# Meta's Italian page says "Ciò significa che la tua richiesta si applicherà d'ora in poi allo sviluppo
# e al miglioramento dell'IA di Meta"; these are that sentence, and "your objection will be honoured",
# as a native speaker of each language would write them (rt17 variants named where they come from).
CONFIRMED = [
    # rt17: sl_applies_from_now_on, et_kohaldatakse_no_code, bg_ottuk_natatak, da_fremover_server,
    # hu_vonatkozni_fog_no_code, hr_prigovor_uvazen (each ended with exit 4: "no confirmation or error").
    ("sl", "Hvala", "To pomeni, da bo vaša zahteva od zdaj naprej veljala za razvoj in izboljšanje umetne inteligence pri Meti. "
                    "Prejeli boste e-poštno sporočilo s podrobnostmi."),
    ("et", "Aitäh!", "See tähendab, et teie taotlust kohaldatakse edaspidi Meta tehisintellekti arendamisel ja täiustamisel. "
                     "Saate e-kirja koos üksikasjadega."),
    ("bg", "Благодарим ви", "Това означава, че вашата заявка ще се прилага оттук нататък за разработването и подобряването "
                            "на изкуствения интелект в Meta. Ще получите имейл с подробности."),
    ("da", "Tak", "Det betyder, at din anmodning fremover vil gælde for udvikling og forbedring af kunstig intelligens hos Meta. "
                  "Du modtager en e-mail med flere oplysninger."),
    ("hu", "Köszönjük!", "Ez azt jelenti, hogy a kérésed mostantól vonatkozni fog a Meta mesterséges intelligenciájának fejlesztésére "
                         "és tökéletesítésére. A részletekről e-mailt kapsz."),
    ("hr", "Hvala vam", "Vaš će prigovor biti uvažen. Od sada se vaše informacije neće upotrebljavati za razvoj i poboljšanje "
                        "umjetne inteligencije u Meti. Poslat ćemo vam e-poruku s pojedinostima."),
    # The same two sentences in the other languages, in other natural word orders.
    ("sl", "Hvala", "To pomeni, da bo od zdaj naprej vaša zahteva veljala za razvoj umetne inteligence pri Meti."),
    ("sl", "Hvala", "Upoštevali bomo vaš ugovor."),
    ("et", "Aitäh!", "See tähendab, et edaspidi kohaldatakse sinu taotlust Meta tehisintellekti arendamisel."),
    ("bg", "Благодарим ви", "Вашето възражение ще бъде уважено."),
    ("bg", "Благодарим ви", "Ще уважим вашето възражение."),
    ("da", "Tak", "Det betyder, at din anmodning fra nu af vil gælde for udvikling og forbedring af AI hos Meta."),
    ("da", "Tak", "Din indsigelse vil blive imødekommet."),
    ("hu", "Köszönjük!", "Ez azt jelenti, hogy a kérésed mostantól vonatkozik a Meta MI fejlesztésére."),
    ("hr", "Hvala vam", "To znači da će se od sada vaš zahtjev primjenjivati na razvoj umjetne inteligencije u Meti."),
    ("hr", "Hvala vam", "Vaš prigovor bit će uvažen."),
    ("hr", "Hvala vam", "Uvažit ćemo vaš prigovor."),
    ("en", "Thanks", "From now on, your request will be applied to the development and improvement of AI at Meta."),
    ("en", "Thanks", "Your request will be honored."),
    ("de", "Danke", "Das bedeutet, dass deine Anfrage ab sofort für die Entwicklung und Verbesserung von KI bei Meta gilt."),
    ("de", "Danke", "Das bedeutet, dass Ihre Anfrage von nun an für die Entwicklung und Verbesserung von KI bei Meta gilt."),
    ("de", "Danke", "Ihrem Widerspruch wird stattgegeben."),
    ("fr", "Merci", "Désormais, votre demande sera appliquée au développement et à l'amélioration de l'IA chez Meta."),
    ("fr", "Merci", "Votre opposition sera respectée."),
    ("fr", "Merci", "Ton opposition sera prise en compte."),
    ("es", "Gracias", "Tu oposición será respetada."),
    ("es", "Gracias", "Respetaremos su oposición."),
    ("nl", "Bedankt", "Vanaf nu geldt je verzoek voor de ontwikkeling en verbetering van AI bij Meta."),
    ("nl", "Bedankt", "We zullen je bezwaar honoreren."),
    ("pt", "Obrigado", "A tua oposição será respeitada."),
    ("pt", "Obrigado", "Respeitaremos a sua oposição."),
    ("pl", "Dziękujemy", "Oznacza to, że Twoja prośba będzie od teraz stosowana do rozwoju i ulepszania AI w Meta."),
    ("pl", "Dziękujemy", "Oznacza to, że od teraz Twoja prośba będzie obowiązywać w odniesieniu do rozwoju AI w Meta."),
    ("pl", "Dziękujemy", "Uwzględnimy Twój sprzeciw."),
    ("ro", "Mulțumim", "De acum înainte, solicitarea ta va fi aplicată dezvoltării și îmbunătățirii IA la Meta."),
    ("ro", "Mulțumim", "Vom respecta obiecția ta."),
    ("sv", "Tack", "Det innebär att din begäran från och med nu gäller för utveckling och förbättring av AI hos Meta."),
    ("sv", "Tack", "Din invändning kommer att respekteras."),
    ("nb", "Takk", "Dette betyr at forespørselen din fra nå av vil gjelde for utvikling og forbedring av KI hos Meta."),
    ("nb", "Takk", "Innsigelsen din vil bli respektert."),
    ("fi", "Kiitos", "Tämä tarkoittaa, että pyyntösi koskee tästä lähtien Metan tekoälyn kehittämistä ja parantamista."),
    ("cs", "Děkujeme", "To znamená, že od teď bude vaše žádost platit pro vývoj a zlepšování AI ve společnosti Meta."),
    ("sk", "Ďakujeme", "To znamená, že odteraz bude vaša žiadosť platiť pre vývoj a zlepšovanie AI v spoločnosti Meta."),
    ("el", "Ευχαριστούμε", "Η αντίρρησή σας θα γίνει σεβαστή."),
    ("lt", "Ačiū", "Tai reiškia, kad nuo šiol jūsų prašymas bus taikomas Meta DI kūrimui ir tobulinimui."),
    ("lv", "Paldies!", "Tas nozīmē, ka no šī brīža jūsu pieprasījums tiks piemērots Meta MI izstrādei un uzlabošanai."),
]


@pytest.mark.parametrize("lang, heading, text", CONFIRMED)
def test_thanks_that_say_the_request_applies_from_now_on_or_will_be_honoured_confirm(page: Page, lang, heading, text):
    assert answer(page, lang, heading, text) == "confirmed"


@pytest.mark.parametrize("lang, heading, text", [
    # rt17's two answers without a code step: read after Send.
    ("et", "Aitäh!", "See tähendab, et teie taotlust kohaldatakse edaspidi Meta tehisintellekti arendamisel ja täiustamisel. "
                     "Saate e-kirja koos üksikasjadega."),
    ("hu", "Köszönjük!", "Ez azt jelenti, hogy a kérésed mostantól vonatkozni fog a Meta mesterséges intelligenciájának fejlesztésére "
                         "és tökéletesítésére. A részletekről e-mailt kapsz."),
])
def test_such_thanks_right_after_send_confirm_too(page: Page, lang, heading, text):
    assert answer(page, lang, heading, text, stage="send") == "confirmed"


@pytest.mark.parametrize("lang, heading, text, result", [
    # The same words turned round by a negation, or said of a code, are no thanks.
    ("sl", "", "Vaš ugovor ne bo upoštevan.", "refused"),
    ("sl", "Preverite e-pošto", "Koda bo veljala 10 minut. Vnesite jo spodaj.", None),
    ("sl", "", "To pomeni, da vaša zahteva od zdaj naprej ne bo veljala za vaše račune.", None),
    ("hr", "", "Nažalost, vaš prigovor neće biti uvažen.", "refused"),
    ("hr", "Provjerite e-poštu", "Kod će vrijediti 10 minuta. Unesite ga ispod.", None),
    ("et", "", "Kahjuks teie taotlust ei kohaldata.", "refused"),
    ("et", "Kontrolli e-posti", "Kood kehtib 10 minutit. Sisesta see allpool.", None),
    ("bg", "", "Вашето възражение няма да бъде уважено.", "refused"),
    ("bg", "", "Заявката ви няма да се прилага оттук нататък.", "refused"),
    ("da", "", "Din anmodning vil ikke gælde fremover.", None),
    ("da", "Tjek din e-mail", "Koden gælder i 10 minutter. Indtast den nedenfor.", None),
    ("hu", "", "Sajnos a kérésed mostantól nem vonatkozik a Meta MI fejlesztésére.", "refused"),
    ("hu", "", "A tiltakozásodat nem tartjuk tiszteletben.", None),
    ("de", "", "Wir werden deinem Widerspruch nicht nachkommen.", None),
    ("fr", "", "Votre opposition ne sera pas respectée.", None),
    ("nl", "", "Je bezwaar wordt niet gehonoreerd.", None),
    ("pl", "", "Twoja prośba nie będzie od teraz stosowana.", None),
    ("pl", "", "Twój sprzeciw nie zostanie uwzględniony.", "refused"),  # the future tense is a refusal too
    ("en", "", "Your objection won't be honoured.", None),
    ("en", "", "Your request will not be applied.", None),
    # Review 23: the form page's own intro ("If your objection is honoured, it will apply from then
    # on"), drawn anew beside an answer the bot cannot read, was taken for thanks.
    ("nl", "", "Als je bezwaar wordt gehonoreerd, wordt het vanaf dat moment toegepast.", None),
    ("fi", "", "Jos vastustuksesi otetaan huomioon, sitä sovelletaan siitä lähtien.", None),
    ("hu", "", "Ha tiltakozásodnak helyt adunk, az onnantól kezdve érvényes lesz.", None),
    ("bg", "", "Ако възражението ви бъде уважено, то ще се прилага оттук нататък.", None),
    ("lt", "", "Jei jūsų prieštaravimas bus patenkintas, jis bus taikomas nuo tada.", None),
    ("lv", "", "Ja jūsu iebildums tiks ievērots, tas tiks piemērots no šī brīža.", None),
    ("et", "", "Kui teie vastuväidet arvestatakse, kohaldatakse seda edaspidi.", None),
    ("da", "", "Hvis vi imødekommer din indsigelse, gælder den fremover.", None),
    ("de", "", "Wenn wir deinem Widerspruch nachkommen, gilt er ab diesem Zeitpunkt.", None),
    ("cs", "", "Pokud vaše námitka bude zohledněna, bude platit od té doby.", None),
    ("hr", "", "Vaš će se prigovor razmotriti nakon što potvrdite adresu e-pošte.", None),
    ("hr", "", "Nova pravila će se od sada primjenjivati na sve korisnike.", None),
])
def test_the_same_words_negated_or_about_a_code_are_no_thanks(page: Page, lang, heading, text, result):
    assert answer(page, lang, heading, text) == result


# --- 2. "You've already objected ... You don't need to send this form again" -------------------

ALREADY = [
    # rt17: hu_already_submitted, hr_already_usprotivili (each ended with exit 4).
    ("hu", "Ezt már megtetted", "Már benyújtottál tiltakozást az adataid Meta MI általi felhasználása ellen. "
                                "Nem kell újra elküldened ezt az űrlapot."),
    ("hr", "Već ste se usprotivili", "Već ste se usprotivili upotrebi svojih informacija za umjetnu inteligenciju u Meti. "
                                     "Ne trebate ponovno slati ovaj obrazac."),
    # Each half alone, and "you don't need to send this form again" in the other languages.
    ("hu", "", "Már benyújtottál tiltakozást."),
    ("hu", "", "Nem kell újra elküldened ezt az űrlapot."),
    ("hr", "", "Ne trebate ponovno slati ovaj obrazac."),
    ("hr", "", "Vi ste se već usprotivili upotrebi svojih informacija."),
    ("en", "", "You don't have to submit this form again."),
    ("de", "", "Du musst dieses Formular nicht erneut absenden."),
    ("fr", "", "Vous n'avez pas besoin de renvoyer ce formulaire."),
    ("es", "", "No tienes que enviar este formulario de nuevo."),
    ("it", "", "Non devi inviare di nuovo questo modulo."),
    ("it", "", "Non è necessario inviare nuovamente questo modulo."),
    ("nl", "", "Je hoeft dit formulier niet nog een keer te verzenden."),
    ("pt", "", "Não precisa de voltar a enviar este formulário."),
    ("pl", "", "Nie musisz ponownie składać tego formularza."),
    ("ro", "", "Nu este nevoie să trimiți din nou acest formular."),
    ("sv", "", "Du behöver inte skicka det här formuläret igen."),
    ("da", "", "Du behøver ikke at sende denne formular igen."),
    ("nb", "", "Du trenger ikke å sende inn dette skjemaet på nytt."),
    ("fi", "", "Sinun ei tarvitse lähettää tätä lomaketta uudelleen."),
    ("cs", "", "Tento formulář nemusíte odesílat znovu."),
    ("cs", "", "Nemusíte tento formulář odesílat znovu."),
    ("sk", "", "Tento formulár nemusíte odosielať znova."),
    ("sk", "", "Nemusíte znova odosielať tento formulár."),
    ("el", "", "Δεν χρειάζεται να υποβάλετε ξανά αυτήν τη φόρμα."),
    ("bg", "", "Не е необходимо да изпращате отново този формуляр."),
    ("sl", "", "Tega obrazca vam ni treba znova poslati."),
    ("lt", "", "Jums nereikia dar kartą pateikti šios formos."),
    ("lv", "", "Šī veidlapa jums nav atkārtoti jāiesniedz."),
    ("et", "", "Seda vormi ei pea uuesti saatma."),
    ("et", "", "Teil ei ole vaja seda vormi uuesti saata."),
    # Red-team pass 25 (b08): read as thanks ("recebemos um pedido"), so no already_objected in the receipt.
    ("pt", "Já te opuseste", "Já recebemos um pedido de oposição teu para esta conta. Não precisas de te opor novamente."),
    ("pt", "", "Já recebemos um pedido de oposição seu para esta conta. Não precisa se opor novamente."),
]


@pytest.mark.parametrize("lang, heading, text", ALREADY)
def test_meta_saying_the_objection_already_stands_is_already(page: Page, lang, heading, text):
    assert answer(page, lang, heading, text) == "already"


@pytest.mark.parametrize("lang, text, result", [
    # Thanks in a sentence of their own beside the note are still thanks; thanks after the
    # "already" in its own sentence are not fresh thanks.
    ("hu", "Megkaptuk a tiltakozásodat. Nem kell újra elküldened ezt az űrlapot.", "confirmed"),
    ("hr", "Zaprimili smo vaš prigovor. Ne trebate ponovno slati ovaj obrazac.", "confirmed"),
    ("it", "Abbiamo ricevuto la tua opposizione. Non devi inviare di nuovo questo modulo.", "confirmed"),
    ("hu", "Már benyújtottál tiltakozást, és megkaptuk.", "already"),
    ("hr", "Već ste se usprotivili i primili smo vaš prigovor.", "already"),
])
def test_already_beside_thanks(page: Page, lang, text, result):
    assert answer(page, lang, "", text, stage="send") == result


@pytest.mark.parametrize("lang, text", [
    # "Already sent" or "already done" alone, or "no need to send the code again", says nothing of
    # an objection that stands: the new phrases name the objection or the form.
    ("hu", "Ha ezt már megtetted, frissítsd az oldalt."),
    ("hu", "Nem kell újra elküldened a kódot: a régi még érvényes."),
    ("el", "Δεν χρειάζεται να στείλετε ξανά τον κωδικό."),
    ("bg", "Не е нужно да изпращате отново кода."),
])
def test_already_done_or_sent_something_else_is_not_already_objected(page: Page, lang, text):
    assert answer(page, lang, "", text) != "already"


# --- 3. A link in the email still to open (Slovak) -----------------------------------------------

@pytest.mark.parametrize("text, result", [
    # rt17: sk_check_email_link (exit 4, not 5).
    ("Poslali sme vám odkaz na potvrdenie žiadosti. Kliknite naň, aby ste žiadosť dokončili.", "pending"),
    ("Poslali sme vám odkaz na potvrdenie žiadosti.", "pending"),  # a link for confirming
    ("Poslali sme vám odkaz. Kliknite naň, aby ste žiadosť dokončili.", "pending"),  # the link, then "click it"
    ("Kliknite na odkaz v e-maile, aby ste žiadosť dokončili.", "pending"),  # a link and "to finish" in one sentence
    # A real confirmation that speaks of a link elsewhere is no step left.
    ("Vašu námietku sme prijali. Odkaz na nastavenia nájdete v e-maile.", "confirmed"),
])
def test_a_slovak_link_still_to_open_is_pending(page: Page, text, result):
    assert answer(page, "sk", "Skontrolujte svoj e-mail", text, stage="send") == result


# --- 4. A code no longer valid, and a newer one sent ---------------------------------------------

@pytest.mark.parametrize("lang, said", [
    ("en", "This code is no longer valid."), ("en", "This code isn't valid anymore."),
    ("de", "Dieser Code ist nicht mehr gültig."), ("fr", "Ce code n'est plus valide."), ("fr", "Ce code n'est plus valable."),
    ("es", "Este código ya no es válido."), ("it", "Questo codice non è più valido."), ("nl", "Deze code is niet meer geldig."),
    ("nl", "Deze code is niet langer geldig."), ("pt", "Este código já não é válido."), ("pt", "Este código deixou de ser válido."),
    ("pl", "Ten kod nie jest już ważny."), ("pl", "Ten kod jest już nieważny."), ("ro", "Acest cod nu mai este valabil."),
    ("ro", "Acest cod nu mai este valid."), ("sv", "Den här koden är inte längre giltig."), ("da", "Denne kode er ikke længere gyldig."),
    ("nb", "Denne koden er ikke lenger gyldig."), ("fi", "Tämä koodi ei ole enää voimassa."), ("cs", "Tento kód již není platný."),
    ("cs", "Tento kód už neplatí."), ("sk", "Tento kód už nie je platný."), ("sk", "Tento kód už neplatí."),
    ("el", "Αυτός ο κωδικός δεν είναι πλέον έγκυρος."), ("hu", "Ez a kód már nem érvényes."), ("bg", "Този код вече не е валиден."),
    ("hr", "Ovaj kod više nije valjan."), ("sl", "Ta koda ni več veljavna."), ("sl", "Ta koda ne velja več."),
    ("lt", "Šis kodas nebegalioja."), ("lv", "Šis kods vairs nav derīgs."), ("et", "See kood ei kehti enam."),
])
def test_a_code_no_longer_valid_is_said_to_have_expired_in_every_language(lang, said):
    assert IG.expired_pattern().search(said)
    assert IG.says_expired(said)


@pytest.mark.parametrize("said, resent", [
    # rt17: en_code_no_longer_valid_newer, sl_code_no_longer_valid_new_sent.
    ("Ta koda ni več veljavna. Poslali smo vam novo kodo.", True),
    ("This code has expired. We've sent you a newer one.", True),
    ("Dieser Code ist nicht mehr gültig. Wir haben dir einen neueren Code gesendet.", True),
    ("Ten kod nie jest już ważny. Wysłaliśmy Ci nowszy kod.", True),
    # A code still to ask for is not one sent; nor one only to look for (review 23: "check your email
    # for a" made the first of these a code sent, and a headless run waited for it).
    ("This code has expired. Click Resend code and check your email for a new code.", False),
    ("This code is no longer valid. Check your email for a newer code.", False),
    ("This code has expired. Request a new code, then check your email for it.", False),
    ("This code is no longer valid. Request a newer code.", False),
])
def test_a_newer_code_sent_beside_the_expiry_is_a_new_code_sent(said, resent):
    assert IG.says_expired(said)
    assert IG.says_new_code_sent(said) is resent


# --- 5. Expiry words are whole words: every language's are read at once ---------------------------

# Review 23 #6: the expired words were word starts, so Romanian "expirat" was in English
# "expiration", Dutch "verlopen" in "how did it go", Swedish "har gått ut" in "an email has gone out
# to you", Lithuanian "pasibaig" in "after it ends": each beside Meta's thanks made a refusal (exit 8).
THANKS_WITH_EXPIRY_LOOKALIKES = [
    ("en", "Thanks, we've received your objection request.", "Your objection has no expiration date."),
    ("nl", "Bedankt. We hebben je bezwaar ontvangen.", "Hoe is het indienen verlopen? Laat het ons weten."),
    ("sv", "Tack! Vi har tagit emot din invändning.", "Ett bekräftelsemejl har gått ut till dig."),
    ("lt", "Ačiū. Gavome jūsų prieštaravimą.", "Pasibaigus peržiūrai, atsiųsime jums el. laišką."),
    ("lt", "Ačiū. Gavome jūsų prieštaravimą.", "Jūsų prieštaravimo galiojimas nepasibaigs."),
    ("hu", "Köszönjük! Megkaptuk a kifogásodat.", "A kód lejárta előtt már nem kell semmit tenned."),
    ("sk", "Ďakujeme. Vašu námietku sme prijali.", "Spracovanie trvá zvyčajne ako v uplynulého roku niekoľko dní."),
    ("sl", "Hvala. Prejeli smo vaš ugovor.", "Oddaja je potekla brez težav."),
]


@pytest.mark.parametrize("lang, heading, text", THANKS_WITH_EXPIRY_LOOKALIKES)
def test_words_that_only_begin_like_an_expiry_leave_the_thanks_a_thanks(page: Page, lang, heading, text):
    assert not IG.error_pattern().search(text)
    assert not IG.says_expired(text)
    assert answer(page, lang, heading, text) == "confirmed"


# The same words' expiry forms still say so, in every form a code or its validity takes.
@pytest.mark.parametrize("said", [
    "Codul a expirat.", "Deze code is verlopen.", "Code verlopen", "Koden har gått ut.", "Giltighetstiden har gått ut.",
    "Kodo galiojimas pasibaigė.", "A kód lejárt.", "Platnosť kódu uplynula.", "Koda je potekla.",
    "Du hast einen abgelaufenen Code eingegeben.", "Questo codice è scaduto.", "Ten kod wygasł.",
    "Този код е изтекъл.", "Kodas nebegalioja.", "Ο κωδικός είναι ληγμένος.", "Kód již není platný.",
    "Questo codice non è più valido.", "Il codice non è più valida.",
])
def test_the_expiry_forms_of_those_words_still_say_the_code_expired(said):
    assert IG.says_expired(said)
    assert IG.error_pattern().search(said)


# --- 6. Thanks for the request, then its refusal; thanks for an objection submitted --------------

# Red-team pass 18: Meta's answer thanks for the request, then refuses it in the next sentence; only
# German ("Leider") and Dutch ("helaas") were read as refusals, the rest gave a "confirmed" receipt.
@pytest.mark.parametrize("lang, heading, text", [
    ("en", "Request received", "Your request doesn't meet the requirements, so we'll continue to use your information."),
    ("fr", "Nous avons bien reçu votre demande.", "Après examen, nous ne sommes pas en mesure d'y donner suite."),
    ("it", "Abbiamo ricevuto la tua richiesta.", "Tuttavia, dopo averla esaminata, non possiamo accoglierla."),
    ("es", "Hemos recibido tu solicitud.", "Este formulario no está disponible en tu país, por lo que no podemos tramitarla."),
    ("pt", "Recebemos sua solicitação.", "Após análise, informamos que não poderemos atender à sua oposição neste momento."),
    ("pl", "Otrzymaliśmy Twoje zgłoszenie.", "Po jego rozpatrzeniu nie możemy uwzględnić Twojego sprzeciwu."),
])
def test_thanks_for_the_request_then_its_refusal_is_a_refusal(page: Page, lang, heading, text):
    assert answer(page, lang, heading, text) == "refused"


@pytest.mark.parametrize("lang, heading, text", [
    # Red-team pass 18, f25 and f11: real thanks the recipe could not read (exit 4, no receipt).
    ("en", "You've submitted your objection", "It applies to the Facebook and Instagram accounts in this Accounts Center."),
    ("et", "Aitäh!", "Oleme teie vastuväite kätte saanud."),
    # A refusal it may come to, said in the conditional beside the thanks, is no refusal.
    ("en", "Thanks, we've received your objection.", "If your request doesn't meet the requirements, we'll let you know by email."),
    # Red-team pass 22: "a problem occurred" is a refusal (PROBLEM, below); only supposed, it is none.
    ("en", "Thanks, we've received your objection.", "If there was a problem with your request, we'll let you know by email."),
    ("es", "Gracias", "Hemos recibido tu oposición. Si se ha producido un problema, te lo comunicaremos por correo electrónico."),
    ("fr", "Merci", "Votre opposition a bien été reçue. Si un problème est survenu, nous vous contacterons par e-mail."),
    # Review 28: in any word order, in every language whose "if" the recipe knows; and a question.
    ("pl", "Dziękujemy", "Otrzymaliśmy Twój sprzeciw. Jeśli wystąpił problem z Twoim wnioskiem, poinformujemy Cię e-mailem."),
    ("sv", "Tack", "Vi har tagit emot din invändning. Om det uppstod ett problem med din begäran meddelar vi dig via e-post."),
    ("da", "Tak", "Vi har modtaget din indsigelse. Hvis der opstod et problem med din anmodning, giver vi dig besked via e-mail."),
    ("cs", "Děkujeme", "Vaše námitka byla přijata. Pokud došlo k problému s vaší žádostí, dáme vám vědět e-mailem."),
    ("hu", "Köszönjük!", "Megkaptuk a tiltakozásodat. Ha probléma merült fel a kéréseddel, e-mailben értesítünk."),
    ("de", "Danke", "Wir haben deinen Widerspruch erhalten. Falls bei deiner Anfrage ein Problem aufgetreten ist, melden wir uns per E-Mail."),
    ("en", "Thanks, we've received your objection.", "Having a problem with your request? Visit the Help Center."),
    # A supposition opened by other words than "if": German verb-first "Sollte", Italian "Qualora",
    # "in case" in several languages.
    ("de", "Danke", "Wir haben deinen Widerspruch erhalten. Sollte bei deiner Anfrage ein Problem aufgetreten sein, melden wir uns per E-Mail."),
    ("it", "Grazie", "Abbiamo ricevuto la tua opposizione. Qualora si sia verificato un problema con la tua richiesta, ti contatteremo via e-mail."),
    ("it", "Grazie", "Abbiamo ricevuto la tua opposizione. Nel caso in cui si sia verificato un problema, ti contatteremo via e-mail."),
    ("pl", "Dziękujemy", "Otrzymaliśmy Twój sprzeciw. W przypadku, gdy wystąpił problem z Twoim wnioskiem, poinformujemy Cię e-mailem."),
    ("fr", "Merci", "Votre opposition a bien été reçue. Au cas où un problème serait survenu avec votre demande, nous vous contacterons par e-mail."),
    ("es", "Gracias", "Hemos recibido tu oposición. En caso de que se haya producido un problema con tu solicitud, te avisaremos por correo electrónico."),
    ("en", "Thanks, we've received your objection.", "In case there was a problem with your request, we'll let you know by email."),
    ("nl", "Bedankt", "We hebben je bezwaar ontvangen. Mocht er een probleem zijn opgetreden met je verzoek, dan nemen we contact met je op."),
])
def test_thanks_for_an_objection_submitted_confirm(page: Page, lang, heading, text):
    assert answer(page, lang, heading, text) == "confirmed"


# --- 7. Thanks, and beside them a refusal in words the recipe does not know -----------------------

# Red-team pass 19 (g31-g36): each of these ended with exit 0 and a receipt, as a confirmation. No list
# of refusal phrases can be complete, so a sentence beside the thanks that speaks of the request or
# the objection with a negation now keeps the run from counting them as confirmed (exit 4).
TURNED_DOWN = [
    ("de", "Vielen Dank", "Deine Anfrage ist eingegangen. Nach Prüfung können wir deinem Widerspruch nicht nachkommen, "
                          "da die Voraussetzungen nicht erfüllt sind.", "Nach Prüfung können wir deinem Widerspruch nicht nachkommen"),
    ("sv", "Tack", "Vi har tagit emot din begäran. Efter granskning kan vi inte tillmötesgå din invändning.",
     "Efter granskning kan vi inte tillmötesgå din invändning."),
    ("es", "Gracias", "Hemos recibido tu solicitud. Tras revisarla, hemos decidido no aplicar tu oposición.",
     "Tras revisarla, hemos decidido no aplicar tu oposición."),
    ("it", "Grazie", "Abbiamo ricevuto la tua richiesta. Dopo un'attenta valutazione, la tua opposizione non può essere accolta.",
     "Dopo un'attenta valutazione, la tua opposizione non può essere accolta."),
    ("pt", "Obrigado", "Recebemos sua solicitação, mas ela não atende aos requisitos necessários para ser processada.",
     "Recebemos sua solicitação, mas ela não atende"),
    ("fr", "Merci", "Nous avons bien reçu votre demande. Ce formulaire est réservé aux personnes qui résident dans la Région "
                    "européenne ; votre demande ne sera donc pas traitée.", "votre demande ne sera donc pas traitée."),
    # The same in other languages, and the refusal in the heading.
    ("en", "Request received", "Having reviewed it, we don't think your objection applies to how we use your information.",
     "Having reviewed it, we don't think your objection applies"),
    ("nl", "Bedankt", "We hebben je verzoek ontvangen. Na beoordeling kunnen we je bezwaar niet inwilligen.",
     "Na beoordeling kunnen we je bezwaar niet inwilligen."),
    ("pl", "Dziękujemy", "Otrzymaliśmy Twoje zgłoszenie. Twój sprzeciw nie może zostać uwzględniony.",
     "Twój sprzeciw nie może zostać uwzględniony."),
    ("da", "Tak", "Vi har modtaget din anmodning. Din indsigelse kan ikke imødekommes.", "Din indsigelse kan ikke imødekommes."),
    ("ro", "Mulțumim", "Am primit solicitarea ta. Obiecția ta nu poate fi acceptată.", "Obiecția ta nu poate fi acceptată."),
    ("cs", "Děkujeme", "Vaši žádost jsme obdrželi. Vaší námitce nemůžeme vyhovět.", "Vaší námitce nemůžeme vyhovět."),
    ("el", "Ευχαριστούμε", "Λάβαμε το αίτημά σας. Δεν μπορούμε να ικανοποιήσουμε την αντίρρησή σας.",
     "Δεν μπορούμε να ικανοποιήσουμε την αντίρρησή σας."),
    ("de", "Deine Anfrage wurde nicht angenommen", "Wir haben deine Anfrage erhalten.", "Deine Anfrage wurde nicht angenommen"),
    # "In the case of" that supposes nothing: the condition words are the conditional forms only.
    ("pl", "Zgłoszenie otrzymane", "Otrzymaliśmy Twoje zgłoszenie. W przypadku Twojego wniosku nie możemy uwzględnić sprzeciwu.",
     "W przypadku Twojego wniosku nie możemy uwzględnić sprzeciwu."),
    ("it", "Grazie", "Abbiamo ricevuto la tua richiesta. Nel caso della tua richiesta, la tua opposizione non può essere accolta.",
     "Nel caso della tua richiesta, la tua opposizione non può essere accolta."),
]


# Of these (by their headings), the recipe's own words read a refusal already (exit 6); the rest are
# thanks, but doubted (exit 4).
REFUSED_BY_WORDS = {"Bedankt", "Tak", "Děkujeme", "Ευχαριστούμε", "Deine Anfrage wurde nicht angenommen", "Zgłoszenie otrzymane"}


@pytest.mark.parametrize("lang, heading, text, sentence", TURNED_DOWN)
def test_thanks_beside_a_refusal_in_words_the_recipe_does_not_know_are_doubted(page: Page, lang, heading, text, sentence):
    result = answer(page, lang, heading, text)
    said = flow.turned_down(page, make_run())
    if heading in REFUSED_BY_WORDS:
        assert result == "refused", (result, said)
    else:
        assert result == "confirmed" and said is not None and said.startswith(sentence), (result, said)


@pytest.mark.parametrize("lang, heading, text", CONFIRMED + [
    # Negations beside the thanks that turn nothing down: a supposition, one about the code, one
    # about the information (not the request), an "already" stood.
    ("en", "Thanks", "We've received your objection. If you didn't make this request, let us know."),
    ("en", "Thanks, we've received your objection.", "Didn't get the code? Request a new one."),
    ("de", "Danke", "Wir haben deinen Widerspruch erhalten. Falls du diese Anfrage nicht gestellt hast, melde dich bei uns."),
    ("it", "Fatto!", "La tua opposizione è stata registrata. D'ora in poi non useremo le tue informazioni per sviluppare e "
                     "migliorare l'IA di Meta. Riceverai un'e-mail con i dettagli."),
    ("es", "Gracias", "Hemos recibido tu oposición. Si no has enviado esta solicitud, avísanos."),
    ("en", "Thanks, we've received your objection.", "If your request doesn't meet the requirements, we'll let you know by email."),
    # Negations near thanks words that negate no thanks: a question, a comma between, another noun.
    ("en", "Thanks, we've received your objection.", "Haven't received your objection confirmation email? Check your spam folder."),
    ("en", "Thanks", "No further action is needed: we've received your objection and it applies from now on."),
    ("de", "Danke", "Wir haben deinen Widerspruch erhalten. Du musst keinen weiteren Widerspruch einlegen."),
    ("es", "Gracias", "Hemos recibido tu oposición. No tienes que hacer nada más."),
])
def test_thanks_with_no_refusal_beside_them_are_not_doubted(page: Page, lang, heading, text):
    assert answer(page, lang, heading, text) == "confirmed"
    assert flow.turned_down(page, make_run()) is None


@pytest.mark.parametrize("lang, text", [
    ("en", "We have not received your objection."),
    ("en", "No request was received."),
    ("de", "Es wurde kein Widerspruch erhalten."),
    ("es", "No hemos recibido ninguna oposición."),
    ("it", "Nessuna opposizione è stata ricevuta."),
    ("pl", "Nie otrzymaliśmy Twojego sprzeciwu."),
    ("nl", "Er is geen bezwaar ontvangen."),
])
def test_thanks_words_negated_are_no_confirmation(page: Page, lang, text):
    # Each was read as Meta's thanks (exit 0 and a receipt): "received your objection" matched, and
    # the doubt beside thanks skipped the sentence as one about an email not received ("have not
    # received") or knew no "no"/"kein" before a noun. It is no confirmation either way.
    result = answer(page, lang, "", text)
    assert result != "confirmed" or flow.turned_down(page, make_run()) == text, result


@pytest.mark.parametrize("lang, heading, text", [
    ("sv", "Klart!", "Din invändning är registrerad och gäller från och med nu. Du får ett e-postmeddelande med mer information."),
    ("nl", "Gelukt!", "Je bezwaar is geregistreerd. We sturen je een e-mail met de details."),
    ("pt", "Tudo certo!", "Sua objeção foi registrada e passará a valer a partir de agora. Você receberá um email com os detalhes."),
    ("fr", "C'est fait", "Votre opposition a bien été enregistrée."),
])
def test_an_objection_registered_is_thanks(page: Page, lang, heading, text):
    # Red-team pass 19 (g27-g30): "registered" in these languages was read as no answer at all (exit 4).
    assert answer(page, lang, heading, text) == "confirmed"


# Found in review: sentences that are no refusal, and refusals that a broader exception let through.
@pytest.mark.parametrize("lang, text", [
    ("es", "De ninguna forma compartiremos tu solicitud con terceros."),  # English "form" begins "forma"
    ("es", "Tu solicitud se completó con éxito y no usaremos tus datos."),
    ("en", "We've received your objection and won't use your information for AI at Meta."),
    ("en", "You don't need to submit another request."),
    ("it", "Non è necessario inviare un'altra richiesta."),
    ("pl", "Nie musisz wysyłać kolejnego wniosku."),
    ("nl", "Je hoeft geen nieuw verzoek in te dienen."),
    ("de", "Du musst keinen weiteren Widerspruch einlegen."),
    ("en", "We'll let you know if we can't apply your objection."),
    ("en", "Please note: if your objection isn't upheld, we'll tell you why."),
    ("lv", "Tas nozīmē, ka no šī brīža jūsu pieprasījums tiks piemērots Meta MI izstrādei."),  # Latvian "no" is "from"
    # What some were told in 2024 (meta-flow-notes): a request received, to be reviewed (rt17's
    # en_received_will_review ended with exit 4 once the doubt came in).
    ("en", "Requests are not fulfilled automatically."),
    ("de", "Anfragen werden nicht automatisch umgesetzt."),
    ("fr", "Les demandes ne sont pas traitées automatiquement."),
])
def test_negations_that_turn_nothing_down_are_no_doubt(lang, text):
    assert IG.turned_down_in(text, lang) is None


@pytest.mark.parametrize("lang, text", [
    ("de", "Nach der Verifizierung können wir deinem Widerspruch nicht nachkommen."),
    ("it", "Dopo la verifica, la tua opposizione non può essere accolta."),
    ("pl", "Po weryfikacji Twój sprzeciw nie może zostać uwzględniony."),
    ("es", "Tras la verificación, no podemos aplicar tu oposición."),
    ("en", "We can't apply your objection if you live outside the EU."),  # the supposition comes after the refusal
    ("ro", "Obiecția ta nu poate fi acceptată."),  # Romanian "nu": read on a Romanian page only
])
def test_refusals_that_speak_of_a_verification_or_suppose_afterwards_are_doubted(lang, text):
    assert IG.turned_down_in(text, lang) == text


# --- Red-team pass 22: "your objection has been received" or "forwarded", said in the passive ------
# (l05 Latvian, l06 Lithuanian and l07 Estonian each ended with exit 4 and no receipt); the same
# sentence for every language the recipe reads, as a native speaker would write it.
RECEIVED = [
    ("lv", "Paldies!", "Jūsu iebildums ir saņemts."), ("lv", "Paldies!", "Jūsu pieprasījums ir saņemts."),
    ("lt", "Ačiū", "Jūsų prieštaravimas gautas."), ("lt", "Ačiū", "Jūsų užklausa buvo gauta."),
    ("et", "Aitäh!", "Teie vastuväide on edastatud."), ("et", "Aitäh!", "Teie taotlus on kätte saadud."),
    ("de", "Danke", "Dein Widerspruch wurde weitergeleitet."), ("fr", "Merci", "Votre opposition a bien été reçue."),
    ("it", "Grazie", "La tua opposizione è stata ricevuta."), ("es", "Gracias", "Tu oposición se ha recibido."),
    ("nl", "Bedankt", "Uw bezwaar is doorgestuurd."), ("pl", "Dziękujemy", "Twój sprzeciw został przekazany."),
    ("cs", "Děkujeme", "Vaše žádost byla předána."), ("sk", "Ďakujeme", "Vaša žiadosť bola doručená."),
    ("sl", "Hvala", "Vaš ugovor je bil prejet."), ("hr", "Hvala", "Vaš prigovor je proslijeđen."),
    ("ro", "Mulțumim", "Obiecția dvs. a fost înregistrată."), ("hu", "Köszönjük!", "A tiltakozásod beérkezett."),
    ("bg", "Благодарим ви", "Вашето възражение е получено."), ("el", "Ευχαριστούμε", "Η αντίρρησή σας ελήφθη."),
    ("fi", "Kiitos", "Vastustuksesi on vastaanotettu."), ("sv", "Tack", "Din invändning har tagits emot."),
    ("da", "Tak", "Din indsigelse er modtaget."), ("nb", "Takk", "Innsigelsen din er mottatt."),
]


@pytest.mark.parametrize("lang, heading, text", RECEIVED)
def test_thanks_that_say_the_objection_was_received_or_forwarded_confirm(page: Page, lang, heading, text):
    assert answer(page, lang, heading, text) == "confirmed"


@pytest.mark.parametrize("lang, text", [
    ("lv", "Jūsu iebildums netika saņemts."), ("lt", "Jūsų prieštaravimas nebuvo gautas."),
    ("et", "Teie vastuväidet ei ole edastatud."), ("fr", "Votre opposition n'a pas été reçue."),
    ("sl", "Vaš ugovor ni bil prejet."), ("hr", "Vaš prigovor nije primljen."), ("da", "Din indsigelse er ikke modtaget."),
    ("sv", "Din invändning har inte tagits emot."), ("en", "Your request has not been received."),
    # Review 28: "no objection received", and after the code a request for a new code.
    ("fr", "Aucune opposition reçue pour ce compte."), ("it", "Nessuna opposizione ricevuta per questo account."),
    ("es", "Ninguna oposición recibida para esta cuenta."), ("da", "Ingen indsigelse er modtaget fra denne konto."),
    ("sv", "Ingen invändning har tagits emot från det här kontot."),
])
def test_the_same_words_negated_are_no_thanks(page: Page, lang, text):
    assert answer(page, lang, "", text) != "confirmed"


@pytest.mark.parametrize("lang, text", [
    ("en", "Your new code request was received. Check your email for a new code."),
    ("de", "Deine Anfrage wurde gesendet. Prüfe deine E-Mails auf einen neuen Code."),
])
def test_a_new_code_on_its_way_after_the_code_is_no_thanks(page: Page, lang, text):
    # Review 28 #2: after the code, thanks may speak of the code ("Your code was confirmed"), but not
    # of a new one on its way: that is the code step again.
    assert answer(page, lang, "", text) != "confirmed"


# Red-team pass 22 (o04): "Radās problēma ar jūsu pieprasījumu" after the code ended as "no
# confirmation or error appeared" (exit 4). "A problem occurred" was no error in any language.
PROBLEM = [
    ("en", "There was a problem with this request. Please try again later."), ("lv", "Radās problēma ar jūsu pieprasījumu."),
    ("lt", "Iškilo problema. Bandykite dar kartą vėliau."), ("et", "Tekkis probleem. Proovige hiljem uuesti."),
    ("de", "Es ist ein Problem aufgetreten."), ("fr", "Un problème est survenu. Veuillez réessayer plus tard."),
    ("it", "Si è verificato un problema. Riprova più tardi."), ("es", "Se ha producido un problema."),
    ("pt", "Ocorreu um problema. Tente novamente mais tarde."), ("nl", "Er is een probleem opgetreden."),
    ("pl", "Wystąpił problem. Spróbuj ponownie później."), ("cs", "Došlo k problému."), ("sk", "Vyskytol sa problém."),
    ("sl", "Prišlo je do težave."), ("hr", "Došlo je do problema."), ("ro", "A apărut o problemă."),
    ("hu", "Probléma történt. Próbáld újra később."), ("bg", "Възникна проблем. Опитайте отново по-късно."),
    ("el", "Παρουσιάστηκε πρόβλημα."), ("fi", "Ilmeni ongelma. Yritä myöhemmin uudelleen."), ("sv", "Ett problem uppstod."),
    ("da", "Der opstod et problem. Prøv igen senere."), ("nb", "Det oppstod et problem. Prøv igjen senere."),
]


@pytest.mark.parametrize("lang, text", PROBLEM)
def test_a_problem_that_occurred_is_a_refusal(page: Page, lang, text):
    assert answer(page, lang, "", text) == "refused"


# --- Red-team pass 23: a refusal in another of the form page's languages than its tag's -------------

@pytest.mark.parametrize("lang, also, text, said", [
    # b05: a Polish page with Meta's English strings left untranslated.
    ("pl", {"pl", "en"}, "Thanks, we've received your objection. After review, we have decided not to apply your objection to "
     "your account.", "After review, we have decided not to apply your objection to your account."),
    # c05: the Help Center's chrome in German (lang=de), its content in English.
    ("de", {"de", "en"}, "Thank you. We're unable to apply your objection in your region.",
     "We're unable to apply your objection in your region."),
    # b01: a Danish page tagged "en", whose own words showed Danish.
    ("en", {"en", "da"}, "Tak, vi har modtaget din indsigelse. Vi kan ikke imødekomme din indsigelse.",
     "Vi kan ikke imødekomme din indsigelse."),
])
def test_a_refusal_beside_thanks_is_read_in_each_of_the_form_pages_languages(lang, also, text, said):
    assert IG.turned_down_in(text, lang) is None  # the tag's language alone, as before
    assert IG.turned_down_in(text, lang, also=also) == said


@pytest.mark.parametrize("lang, also, text", [
    # Each language's negation counts only with its own request words: English "form" begins Polish
    # "formularz", and Polish "nie" is no English word.
    ("pl", {"pl", "en"}, "Dziękujemy, Twój formularz został wysłany i nie musisz nic więcej robić."),
    ("en", {"en", "da"}, "Thanks, we've received your objection. We won't use your information for AI at Meta."),
    ("pl", {"pl", "en"}, "Dziękujemy. We'll let you know if we can't apply your objection."),
])
def test_the_form_pages_other_languages_read_no_refusal_into_plain_thanks(lang, also, text):
    assert IG.turned_down_in(text, lang, also=also) is None


# Red-team pass 24: thanks that leave the decision for later, in the words its variants used.
@pytest.mark.parametrize("text, said", [
    ("Thanks, we've received your request. Requests to object are not fulfilled automatically. We'll review your request.",
     "Requests to object are not fulfilled automatically."),
    ("We hebben je verzoek ontvangen. Verzoeken worden niet automatisch ingewilligd. We beoordelen je verzoek.",
     "Verzoeken worden niet automatisch ingewilligd."),
    ("Recebemos sua solicitação. As solicitações de oposição não são atendidas automaticamente: vamos analisar sua solicitação.",
     "As solicitações de oposição não são atendidas automaticamente:"),
    ("Danke, wir haben deine Anfrage erhalten. Wir prüfen deine Anfrage gemäß den geltenden Datenschutzgesetzen.",
     "Wir prüfen deine Anfrage gemäß den geltenden Datenschutzgesetzen."),
    ("Abbiamo ricevuto la tua richiesta. Esamineremo la tua richiesta e ti contatteremo via e-mail entro 30 giorni.",
     "Esamineremo la tua richiesta e ti contatteremo via e-mail entro 30 giorni."),
    # Thanks that decide now, and a refusal already decided: no review to come.
    ("Fatto! Questo significa che la tua richiesta verrà applicata d'ora in poi. Riceverai un'e-mail con i dettagli.", None),
    ("Thanks, we've received your objection. You'll receive an email with the details.", None),
    ("We've reviewed your request and we're unable to honour your objection.", None),
    ("Your objection applies from now on. It does not automatically apply to accounts in other Accounts Centers.", None),
])
def test_thanks_that_leave_the_decision_for_later_are_told(text, said):
    assert recipe.load("instagram").review_in(text) == said
