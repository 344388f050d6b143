// IGNY8 Sync admin: the little behaviour the pages need beyond htmx. Served as a file because the
// Content-Security-Policy allows no inline script. Everything is delegated from document, so content
// that htmx swaps in later works without re-binding.
;(function () {
  'use strict'

  // Copy buttons: <button data-copy="element-id">. The Clipboard API needs a secure context
  // (HTTPS or localhost); elsewhere fall back to selecting the text and execCommand('copy').
  function copyText(el) {
    var text = el.textContent || ''
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text)
    var range = document.createRange()
    range.selectNodeContents(el)
    var sel = window.getSelection()
    sel.removeAllRanges()
    sel.addRange(range)
    var ok = false
    try {
      ok = document.execCommand('copy')
    } catch (e) {}
    return ok ? Promise.resolve() : Promise.reject(new Error('copy failed'))
  }

  function flash(button, label) {
    var original = button.getAttribute('data-label') || button.textContent
    button.setAttribute('data-label', original)
    button.textContent = label
    button.classList.add('is-done')
    clearTimeout(button._copyTimer)
    button._copyTimer = setTimeout(function () {
      button.textContent = original
      button.classList.remove('is-done')
    }, 2000)
  }

  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('[data-copy]')
    if (!button) return
    var target = document.getElementById(button.getAttribute('data-copy'))
    if (!target) return
    copyText(target).then(
      function () {
        flash(button, 'Copied')
      },
      function () {
        flash(button, 'Select and copy')
      },
    )
  })

  // The toast shows error answers htmx steered into it (see views/layout.ts). A new request or a
  // click clears it; it also fades on its own.
  var toastTimer
  function clearToast() {
    var toast = document.getElementById('toast')
    if (toast) toast.textContent = ''
  }
  document.addEventListener('htmx:before:request', clearToast)
  document.addEventListener('htmx:after:swap', function () {
    var toast = document.getElementById('toast')
    if (!toast || !toast.firstElementChild) return
    clearTimeout(toastTimer)
    toastTimer = setTimeout(clearToast, 10000)
  })
  document.addEventListener('click', function (event) {
    if (event.target.closest && event.target.closest('#toast')) clearToast()
  })

  // A refused save (403, 404, 5xx) leaves the card as the server last drew it: put the control the
  // admin just changed back, so the page does not show a value that was never stored.
  document.addEventListener('htmx:response:error', function (event) {
    var el = event.detail && event.detail.ctx && event.detail.ctx.sourceElement
    if (el && el.tagName === 'FORM' && el.hasAttribute('data-reset-on-error')) el.reset()
  })

  // A network failure or timeout (no answer to swap): say so instead of failing silently.
  document.addEventListener('htmx:error', function (event) {
    var ctx = event.detail && event.detail.ctx
    if (ctx && ctx.response) return // an HTTP error answer; the server's message was swapped in
    var toast = document.getElementById('toast')
    if (!toast) return
    toast.innerHTML = ''
    var box = document.createElement('div')
    box.className = 'alert alert-error'
    box.textContent = 'The server could not be reached. Check your connection and try again.'
    toast.appendChild(box)
  })
})()
